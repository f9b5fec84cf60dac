/*
 * Memory barriers between the driver and a DMA-capable, cache-coherent
 * device (virtio 1.2, section 2.7.13: the driver orders its writes of a
 * chain before the index that publishes it, and its read of the used index
 * before the reads of what it announces). The device is another observer
 * in the outer-shareable domain (a bus master, or QEMU's thread), hence the
 * "osh" forms; Linux uses the same for devices that are not known to be
 * inner-shareable. The host unit tests get the compiler's full fence.
 */
#ifndef VIRTIO_BARRIER_H
#define VIRTIO_BARRIER_H

#if defined(__aarch64__)
/* Stores before stores. */
#define vq_wmb() __asm__ volatile("dmb oshst" ::: "memory")
/* Loads before loads (and before later stores). */
#define vq_rmb() __asm__ volatile("dmb oshld" ::: "memory")
/* Everything before everything (a store before a load). */
#define vq_mb() __asm__ volatile("dmb osh" ::: "memory")
#else
#define vq_wmb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define vq_rmb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define vq_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif

#endif
