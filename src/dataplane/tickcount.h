/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tickcount.h: packet time stamps (paper 3044-3092).
 *
 * A tickcount_t is the raw TSC. It is taken once per rx burst and stored in
 * every packet of the burst; converting it to a time of day costs a
 * multiply and is paid only by whoever asks (a socket wanting the receive
 * time, a latency histogram being read).
 *
 * Conversion uses a calibration: the TSC rate measured against
 * CLOCK_MONOTONIC_RAW, and a reference pair (tick, CLOCK_REALTIME) taken with
 * the two reads bracketed as tightly as the machine allows. The control
 * thread re-anchors the reference periodically (tickcount_resync) so that
 * wall-clock steps and slow drift are followed.
 *
 * Concurrency: the calibration is written by one thread at a time (the
 * control thread) and read by any thread through a sequence counter; readers
 * never block and never see a half-written calibration.
 */
#ifndef NSDP_TICKCOUNT_H
#define NSDP_TICKCOUNT_H

#include <stdint.h>

#include <rte_cycles.h>

typedef uint64_t tickcount_t;

/** The raw counter now. Cheap: one rdtsc on x86. */
static inline tickcount_t
tickcount_now(void)
{
	return rte_rdtsc();
}

struct tickcount_calib {
	uint64_t hz;            /* ticks per second */
	tickcount_t ref_tick;   /* tick at ref_real_ns */
	int64_t ref_real_ns;    /* CLOCK_REALTIME at ref_tick, ns since the epoch */
	uint64_t ref_error_ns;  /* half-width of the bracket around ref_tick */
};

/**
 * Measure the tick rate against CLOCK_MONOTONIC_RAW over @sample_ms
 * milliseconds (sleeps that long) and set the reference pair. Thread-safe
 * against readers; writers must be serialized by the caller.
 *
 * @param sample_ms  measurement window, 10..10000 ms; longer is more precise
 *   (the rate error is about 2 x bracket / window).
 * @return 0, or -EINVAL for an out-of-range window, or -errno of
 *   clock_gettime().
 */
int tickcount_calibrate(unsigned sample_ms);

/**
 * Take a new reference pair with the current rate, without re-measuring the
 * rate. Call periodically (e.g. every second) from one thread.
 * @return 0 or -EAGAIN if tickcount_calibrate() never succeeded.
 */
int tickcount_resync(void);

/** Copy the current calibration. @return 0, -EAGAIN if not calibrated. */
int tickcount_get_calib(struct tickcount_calib *out);

/** Ticks per second of the current calibration (0 if not calibrated). */
uint64_t tickcount_hz(void);

/**
 * Convert a tick to CLOCK_REALTIME nanoseconds since the epoch. Ticks before
 * the reference are converted too (negative offset). Returns 0 if not
 * calibrated. Lock-free; callable from any thread.
 */
int64_t tickcount_to_realtime_ns(tickcount_t t);

/** Convert a tick difference to nanoseconds (0 if not calibrated). */
uint64_t tickcount_delta_ns(uint64_t ticks);

/** Convert nanoseconds to ticks (0 if not calibrated). */
uint64_t tickcount_ns_to_ticks(uint64_t ns);

#endif
