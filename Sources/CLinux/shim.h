#include <sys/timerfd.h>
#include <sys/eventfd.h>
