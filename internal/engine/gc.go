package engine

import (
	"bufio"
	"bytes"
	"io/fs"
	"math"
	"os"
	"path"
	"runtime/debug"
	"strconv"
	"strings"
)

// The garbage collector's settings unless GOGC or GOMEMLIMIT set them. A
// scan is a short batch job that allocates parse trees quickly, so the heap
// may grow to (1+gcPercent/100) times the live data before a collection;
// the soft memory limit is a safety net derived from the machine
// (memoryFraction of the cgroup limit, else of physical memory), never a
// number a large run legitimately crosses: a limit below the live heap
// makes the collector run almost continuously.
//
// gcPercent by measurement (2 cores shared with other work, so +-10%;
// soft limit from the machine; user+sys CPU and peak RSS of the binary,
// median of 3; kubeflow-manifests run from inside it, every kustomization
// built, after the CRD-schema and AsYAML work of issue 15):
//
//	GOGC  kubeflow-manifests (126 builds)   20,000 generated files
//	 150   10.1 s   158 MiB                  2.73 s  398 MiB
//	 200    9.8 s   180 MiB
//	 250    9.5 s   197 MiB                  2.60 s  458 MiB
//	 300    9.6 s   225 MiB
//
// 250: the least CPU, with the kubeflow peak well under its 250 MiB
// target; past it the heap grows and the CPU does not fall. (Measured
// before those changes, when kubeflow's builds held 5.5 MB of CRD
// schemas: 150 gave 12.0 s / 362 MiB, 200 12.0 s / 466 MiB.)
const (
	gcPercent = 250
	// memoryFraction of the memory available is the soft limit, as
	// numerator/denominator.
	memoryNum, memoryDen = 3, 4
)

// TuneGC applies gcPercent and the machine's memory limit where the
// environment does not choose. Benchmarks call it too, to measure what the
// binary does.
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		if n := softLimit(machineMemory(os.DirFS("/"), sysinfoTotal)); n > 0 {
			debug.SetMemoryLimit(n)
		}
	}
}

// softLimit is the soft memory limit for avail bytes of memory: a fraction
// of it, or 0 (leave Go's default, no limit) when avail is unknown.
func softLimit(avail int64) int64 {
	if avail <= 0 {
		return 0
	}
	return avail / memoryDen * memoryNum
}

// unlimited is what cgroup v1 reports for "no limit" (a page-rounded
// MaxInt64); anything at or above it is no limit.
const unlimited = math.MaxInt64 / 2

// machineMemory is the memory this process may use, in bytes: the smallest
// cgroup limit on its path (v2 memory.max, else v1 memory.limit_in_bytes),
// capped by physical memory (/proc/meminfo MemTotal, else sysinfo); 0 when
// none is known. root is the file system root (a fake one in tests).
func machineMemory(root fs.FS, sysinfo func() int64) int64 {
	phys := memTotal(root)
	if phys <= 0 && sysinfo != nil {
		phys = sysinfo()
	}
	lim := cgroupLimit(root)
	switch {
	case lim > 0 && (phys <= 0 || lim < phys):
		return lim
	case phys > 0:
		return phys
	}
	return 0
}

// memTotal reads MemTotal from /proc/meminfo, in bytes (0 if absent).
func memTotal(root fs.FS) int64 {
	data, err := fs.ReadFile(root, "proc/meminfo")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "MemTotal:" {
			n, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil || n <= 0 {
				return 0
			}
			if len(f) >= 3 && strings.EqualFold(f[2], "kB") {
				n *= 1024
			}
			return n
		}
	}
	return 0
}

// cgroupLimit is the smallest memory limit of the cgroups this process is
// in, from /proc/self/cgroup: cgroup v2 (line "0::PATH") reads memory.max
// in /sys/fs/cgroup/PATH and each parent up to the root; v1 (a line whose
// controllers include memory) reads memory.limit_in_bytes likewise under
// /sys/fs/cgroup/memory. Without /proc/self/cgroup, the root files are
// read. 0: no limit found.
func cgroupLimit(root fs.FS) int64 {
	type place struct{ base, file, rel string }
	var places []place
	if data, err := fs.ReadFile(root, "proc/self/cgroup"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			parts := strings.SplitN(strings.TrimSpace(line), ":", 3)
			if len(parts) != 3 {
				continue
			}
			switch {
			case parts[0] == "0" && parts[1] == "":
				places = append(places, place{"sys/fs/cgroup", "memory.max", parts[2]})
			case hasController(parts[1], "memory"):
				places = append(places, place{"sys/fs/cgroup/memory", "memory.limit_in_bytes", parts[2]})
			}
		}
	}
	if len(places) == 0 {
		places = []place{{"sys/fs/cgroup", "memory.max", "/"}, {"sys/fs/cgroup/memory", "memory.limit_in_bytes", "/"}}
	}
	best := int64(0)
	for _, p := range places {
		for rel := path.Clean("/" + p.rel); ; rel = path.Dir(rel) {
			name := path.Join(p.base, rel, p.file)
			if n := readLimit(root, name); n > 0 && (best == 0 || n < best) {
				best = n
			}
			if rel == "/" {
				break
			}
		}
	}
	return best
}

func hasController(list, name string) bool {
	for _, c := range strings.Split(list, ",") {
		if c == name {
			return true
		}
	}
	return false
}

// readLimit reads one cgroup limit file: a byte count, or "max" (v2) or a
// huge number (v1) for none, which are 0.
func readLimit(root fs.FS, name string) int64 {
	data, err := fs.ReadFile(root, name)
	if err != nil {
		return 0
	}
	s := strings.TrimSpace(string(data))
	if s == "max" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n >= unlimited {
		return 0
	}
	return n
}
