#ifndef MAINT_CMICROHTTPD_SHIM_H
#define MAINT_CMICROHTTPD_SHIM_H
#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* MHD_start_daemon takes its options as variadic arguments, which Swift cannot pass: one
   fixed call for the control server. A thread per connection, so a handler may wait for the
   scheduler loop's answer without holding up other callers; `listen_fd` is a socket already
   bound and listening (a Unix socket, or TCP). */
static inline struct MHD_Daemon *maint_mhd_start(int listen_fd,
                                                 MHD_AccessHandlerCallback handler, void *handler_cls,
                                                 MHD_RequestCompletedCallback completed, void *completed_cls,
                                                 unsigned int connection_limit, unsigned int timeout_seconds) {
    return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL | MHD_USE_ITC,
                            0, NULL, NULL, handler, handler_cls,
                            MHD_OPTION_LISTEN_SOCKET, (MHD_socket)listen_fd,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, completed_cls,
                            MHD_OPTION_CONNECTION_LIMIT, connection_limit,
                            MHD_OPTION_CONNECTION_TIMEOUT, timeout_seconds,
                            MHD_OPTION_END);
}

/* The socket under a connection (a union member in MHD's info). */
static inline int maint_mhd_connection_fd(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info ? (int)info->connect_fd : -1;
}

/* The uid of the process at the other end of a Unix socket (SO_PEERCRED); -1 if none. */
static inline int64_t maint_peer_uid(int fd) {
    /* struct ucred's layout; glibc declares it only under _GNU_SOURCE, which would make these
       system headers differ from the ones Swift's other modules import. */
    struct { int32_t pid; uint32_t uid; uint32_t gid; } credentials;
    socklen_t length = sizeof(credentials);
    if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return -1;
    return (int64_t)credentials.uid;
}
/* Raises the nice value of the calling thread alone (Linux keeps one per thread). */
static inline void maint_lower_thread_priority(int niceness) {
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), niceness);
}
#endif
