#include <sys/timerfd.h>
#include <sys/eventfd.h>
#include <malloc.h>
