#ifndef OCTOO_CZEROMQ_SHIM_H
#define OCTOO_CZEROMQ_SHIM_H
#include <zmq.h>
#include <sys/eventfd.h>
#include <unistd.h>
#endif
