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

# The disk appears once the module has probed it, asynchronously.
wait_disk() {
	n=0
	while [ ! -b /dev/vda ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
	[ -b /dev/vda ]
}

if grep -q 'bulkhead.test=disk' /proc/cmdline; then
	if ! wait_disk; then
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
# bulkhead.test=dd: the disk's throughput (make bench): 24 MiB written and
# read in 1 MiB blocks, timed with /proc/uptime (10 ms steps).
centis() { tr -d . </proc/uptime | cut -d' ' -f1; }
if grep -q 'bulkhead.test=dd' /proc/cmdline && wait_disk; then
	t0=$(centis)
	dd if=/dev/zero of=/dev/vda bs=1M count=24 conv=fsync 2>/dev/null
	t1=$(centis)
	echo 3 >/proc/sys/vm/drop_caches
	t2=$(centis)
	dd if=/dev/vda of=/dev/null bs=1M count=24 2>/dev/null
	t3=$(centis)
	echo "bulkhead-linux: dd 24 MiB written in $((t1 - t0))0 ms, read in $((t3 - t2))0 ms"
fi

# bulkhead.test=reboot: the first run marks the disk's last sector and
# reboots; the next finds the mark, clears it and powers off.
if grep -q 'bulkhead.test=reboot' /proc/cmdline && wait_disk; then
	last=$(($(cat /sys/block/vda/size) - 1))
	if [ "$(dd if=/dev/vda bs=512 skip=$last count=1 2>/dev/null | head -c 8)" = REBOOTED ]; then
		dd if=/dev/zero of=/dev/vda bs=512 seek=$last count=1 conv=fsync 2>/dev/null
		echo "bulkhead-linux: back after the reboot; powering off"
		poweroff -f
	fi
	printf REBOOTED | dd of=/dev/vda bs=512 seek=$last count=1 conv=fsync,sync 2>/dev/null
	echo "bulkhead-linux: rebooting"
	reboot -f
fi

# Without a test: the disk as a file system on /mnt, made on first use.
if ! grep -q 'bulkhead.test=' /proc/cmdline && wait_disk; then
	if [ "$(dd if=/dev/vda bs=1 skip=1080 count=2 2>/dev/null | od -An -tx2 | tr -d ' ')" != ef53 ]; then
		echo "bulkhead-linux: no file system on /dev/vda: making one (ext2)"
		mke2fs -q /dev/vda
	fi
	mount -t ext2 /dev/vda /mnt && echo "bulkhead-linux: /dev/vda mounted on /mnt"
fi

echo "bulkhead-linux: a shell on the console (poweroff -f stops this partition)"
exec setsid cttyhack sh
