/* The syntax of the spec's strings: names, addresses, handles. Pure
 * functions, each returning NULL when the string is fine, else why it is
 * not (a static string). */
#include "offload/spec.h"

#include "spec-private.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* A Linux network device name (dev_valid_name()): OVS bridges are
 * netdevs too, so the same rule holds for bridge names. */
const char *
spec_netdev_name_problem(const char *s)
{
    size_t len = strlen(s);

    if (!len) {
        return "is empty";
    }
    if (len > 15) {
        return "is longer than 15 bytes";
    }
    if (!strcmp(s, ".") || !strcmp(s, "..")) {
        return "cannot be \".\" or \"..\"";
    }
    for (const char *p = s; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '/' || ch == ':' || isspace(ch)) {
            return "may not contain '/', ':' or whitespace";
        }
        /* The kernel's isspace() is Latin-1 and also takes 0xa0, which
         * UTF-8 has inside characters such as "\xc3\xa0" (a grave). */
        if (ch == 0xa0) {
            return "may not contain the byte 0xa0: the kernel takes it for "
                   "white space";
        }
        if (ch < 0x20 || ch == 0x7f) {
            return "may not contain control characters";
        }
    }
    return NULL;
}

int
spec_hex_digit(unsigned char ch)
{
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    } else if (ch >= 'a' && ch <= 'f') {
        return ch - 'a' + 10;
    } else if (ch >= 'A' && ch <= 'F') {
        return ch - 'A' + 10;
    }
    return -1;
}

/* Parses 'n' hex digits at 's'. */
static bool
parse_hex(const char *s, size_t n, unsigned *value)
{
    *value = 0;
    for (size_t i = 0; i < n; i++) {
        int d = spec_hex_digit((unsigned char)s[i]);
        if (d < 0) {
            return false;
        }
        *value = *value << 4 | (unsigned)d;
    }
    return true;
}

/* "DDDD:BB:DD.F" with hex digits; writes the lower-case form to
 * 'norm' (13 bytes). */
const char *
spec_pci_problem(const char *s, char norm[13])
{
    unsigned domain, bus, dev, fn;

    if (strlen(s) != 12 || s[4] != ':' || s[7] != ':' || s[10] != '.' ||
        !parse_hex(s, 4, &domain) || !parse_hex(s + 5, 2, &bus) ||
        !parse_hex(s + 8, 2, &dev) || !parse_hex(s + 11, 1, &fn)) {
        return "not a PCI address: expected DDDD:BB:DD.F in hex, "
               "e.g. \"0000:43:00.0\"";
    }
    if (dev > 0x1f) {
        return "not a PCI address: the device number is at most 1f";
    }
    if (fn > 7) {
        return "not a PCI address: the function number is at most 7";
    }
    snprintf(norm, 13, "%04x:%02x:%02x.%x", domain, bus, dev, fn);
    return NULL;
}

/* "bus/name", e.g. "pci/0000:43:00.0" or "netdevsim/netdevsim1". */
const char *
spec_devlink_problem(const char *s)
{
    const char *slash = strchr(s, '/');

    if (!slash || slash == s || !slash[1]) {
        return "not a devlink handle: expected \"bus/name\", "
               "e.g. \"pci/0000:43:00.0\"";
    }
    if (strchr(slash + 1, '/')) {
        return "not a devlink handle: more than one '/'";
    }
    if (strlen(s) > 127) {
        return "not a devlink handle: longer than 127 characters";
    }
    for (const char *p = s; p < slash; p++) {
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) &&
            *p != '_' && *p != '-') {
            return "not a devlink handle: the bus name may only contain "
                   "a-z, 0-9, '_' and '-'";
        }
    }
    for (const char *p = slash + 1; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (isspace(ch) || ch < 0x20 || ch == 0x7f) {
            return "not a devlink handle: whitespace or control character "
                   "in the device name";
        }
    }
    if (!strncmp(s, "pci/", 4)) {
        char norm[13];
        if (spec_pci_problem(slash + 1, norm)) {
            return "not a devlink handle: \"pci/\" must be followed by a "
                   "PCI address DDDD:BB:DD.F";
        }
    }
    return NULL;
}

/* A kernel driver name: it becomes a sysfs path component
 * (/sys/bus/pci/drivers/NAME/bind), so nothing that could escape it. */
const char *
spec_driver_problem(const char *s)
{
    size_t len = strlen(s);

    if (!len || len > 63) {
        return "not a driver name: must be 1 to 63 characters";
    }
    if (!strcmp(s, ".") || !strcmp(s, "..")) {
        return "not a driver name";
    }
    for (const char *p = s; *p; p++) {
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' &&
            *p != '.') {
            return "not a driver name: may only contain letters, digits, "
                   "'_', '-' and '.'";
        }
    }
    return NULL;
}

/* The agent connects to OVSDB actively: unix:, tcp: or ssl:. */
const char *
spec_db_problem(const char *s)
{
    static const char *const methods[] = {"unix:", "tcp:", "ssl:"};

    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        size_t n = strlen(methods[i]);
        if (!strncmp(s, methods[i], n)) {
            if (!s[n]) {
                return "not an OVSDB remote: nothing after the method";
            }
            for (const char *p = s; *p; p++) {
                if (isspace((unsigned char)*p) || (unsigned char)*p < 0x20) {
                    return "not an OVSDB remote: whitespace or control "
                           "character";
                }
            }
            return strlen(s) > 1024 ? "not an OVSDB remote: too long" : NULL;
        }
    }
    return "not an OVSDB remote: expected unix:PATH, tcp:IP:PORT or "
           "ssl:IP:PORT";
}

/* "xx:xx:xx:xx:xx:xx", either case. */
bool
spec_parse_mac(const char *s, uint8_t mac[6])
{
    if (strlen(s) != 17) {
        return false;
    }
    for (int i = 0; i < 6; i++) {
        unsigned byte;
        if (!parse_hex(s + 3 * i, 2, &byte) ||
            (i < 5 && s[3 * i + 2] != ':')) {
            return false;
        }
        mac[i] = (uint8_t)byte;
    }
    return true;
}

char *
spec_mac_to_string(const uint8_t mac[6], char buf[18])
{
    /* By hand: a plan and its report format every VF's MAC, and six
     * "%02x" through snprintf() cost about 3,000 instructions a MAC. */
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 6; i++) {
        buf[3 * i] = hex[mac[i] >> 4];
        buf[3 * i + 1] = hex[mac[i] & 0xf];
        buf[3 * i + 2] = i < 5 ? ':' : '\0';
    }
    return buf;
}
