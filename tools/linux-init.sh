#!/bin/busybox sh
# /init of the Linux guest's initramfs (tools/fetch-linux.sh packs it with
# busybox and the virtio modules). It mounts what a shell needs, loads the
# virtio modules (the disk appears as /dev/vda), prints a marker and
# /proc/interrupts, and, if the kernel command line says
# bulkhead.test=disk, writes 8 MiB of data to /dev/vda, reads it back past
# the page cache and compares. Then a shell on the console.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /tmp && mount -t tmpfs tmpfs /tmp
for m in virtio_ring virtio virtio_mmio virtio_blk; do
	insmod /lib/modules/$m.ko || echo "bulkhead-linux: insmod $m failed"
done
echo "bulkhead-linux: init reached, $(grep -c ^processor /proc/cpuinfo) CPUs, kernel $(uname -r)"
cat /proc/interrupts

if grep -q 'bulkhead.test=disk' /proc/cmdline; then
	# Wait for the disk (the module probes it asynchronously).
	n=0
	while [ ! -b /dev/vda ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
	if [ ! -b /dev/vda ]; then
		echo "bulkhead-linux: DISK MISSING"
	else
		dd if=/dev/urandom of=/tmp/pattern bs=1M count=8 2>/dev/null
		want=$(md5sum </tmp/pattern)
		echo "bulkhead-linux: writing 8 MiB to /dev/vda"
		dd if=/tmp/pattern of=/dev/vda bs=1M conv=fsync 2>/dev/null || echo "bulkhead-linux: WRITE FAILED"
		sync
		echo 3 >/proc/sys/vm/drop_caches
		echo "bulkhead-linux: reading it back"
		got=$(dd if=/dev/vda bs=1M count=8 2>/dev/null | md5sum)
		if [ "$want" = "$got" ]; then
			echo "bulkhead-linux: disk check ok (8 MiB written, read back, equal)"
		else
			echo "bulkhead-linux: DISK CHECK FAILED"
		fi
		rm -f /tmp/pattern
	fi
fi
echo "bulkhead-linux: a shell on the console (poweroff -f stops this partition)"
exec setsid cttyhack sh
