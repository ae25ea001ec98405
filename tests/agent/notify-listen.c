/* notify-listen: a stand-in for systemd's notification socket in tests.
 * Binds a datagram socket at PATH and prints every datagram it receives
 * on stdout (one line per assignment, as sent: "READY=1", "STATUS=..."),
 * flushed at once so a test can follow it. Exits on SIGTERM.
 *   notify-listen PATH */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    char buf[4096];
    int fd;

    if (argc != 2 || strlen(argv[1]) >= sizeof addr.sun_path) {
        fprintf(stderr, "usage: notify-listen PATH\n");
        return 2;
    }
    strcpy(addr.sun_path, argv[1]);
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("notify-listen: socket");
        return 1;
    }
    unlink(argv[1]);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        perror("notify-listen: bind");
        return 1;
    }
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf - 1, 0);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            perror("notify-listen: recv");
            return 1;
        }
        buf[n] = '\0';
        /* sd_notify sends several assignments in one datagram, one a
         * line: print them as they came, ending with a newline. */
        fputs(buf, stdout);
        if (n == 0 || buf[n - 1] != '\n') {
            fputc('\n', stdout);
        }
        fflush(stdout);
    }
}
