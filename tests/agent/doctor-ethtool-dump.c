/* doctor-ethtool-dump IFNAME: prints the netdev's ethtool statistics as
 * the doctor reads them (the SIOCETHTOOL ioctl), in `ethtool -S`'s
 * format, so that the bed test compares them with ethtool's. */
#include "doctor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main(int argc, char *argv[])
{
    char *text;
    if (argc != 2) {
        fprintf(stderr, "usage: %s IFNAME\n", argv[0]);
        return 2;
    }
    int r = doctor_ethtool_dump(argv[1], &text);
    if (r) {
        fprintf(stderr, "%s: %s: %s\n", argv[0], argv[1], strerror(-r));
        return 1;
    }
    fputs(text, stdout);
    free(text);
    return 0;
}
