package engine

import (
	"testing"
	"testing/fstest"
)

func TestMachineMemory(t *testing.T) {
	const gib = int64(1) << 30
	meminfo := &fstest.MapFile{Data: []byte("MemTotal:       24683584 kB\nMemFree:        1000 kB\n")}
	phys := int64(24683584) * 1024
	sysinfo := func() int64 { return 8 * gib }
	for _, tc := range []struct {
		name    string
		files   fstest.MapFS
		sysinfo func() int64
		want    int64
	}{
		{"v2 limit", fstest.MapFS{
			"proc/meminfo":     meminfo,
			"proc/self/cgroup": {Data: []byte("0::/user.slice/job\n")},
			"sys/fs/cgroup/user.slice/job/memory.max": {Data: []byte("2147483648\n")},
			"sys/fs/cgroup/user.slice/memory.max":     {Data: []byte("max\n")},
		}, nil, 2 * gib},
		{"v2 parent is smaller", fstest.MapFS{
			"proc/meminfo":     meminfo,
			"proc/self/cgroup": {Data: []byte("0::/user.slice/job\n")},
			"sys/fs/cgroup/user.slice/job/memory.max": {Data: []byte("max\n")},
			"sys/fs/cgroup/user.slice/memory.max":     {Data: []byte("1073741824\n")},
		}, nil, gib},
		{"v2 max everywhere: physical", fstest.MapFS{
			"proc/meminfo":             meminfo,
			"proc/self/cgroup":         {Data: []byte("0::/\n")},
			"sys/fs/cgroup/memory.max": {Data: []byte("max\n")},
		}, nil, phys},
		{"v1 limit (hybrid: v2 line too)", fstest.MapFS{
			"proc/meminfo":     meminfo,
			"proc/self/cgroup": {Data: []byte("9:name=systemd:/\n4:memory:/docker/abc\n3:cpu,cpuacct:/\n0::/\n")},
			"sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes": {Data: []byte("536870912\n")},
			"sys/fs/cgroup/memory/memory.limit_in_bytes":            {Data: []byte("9223372036854771712\n")},
		}, nil, 512 << 20},
		{"v1 unlimited: physical", fstest.MapFS{
			"proc/meminfo":     meminfo,
			"proc/self/cgroup": {Data: []byte("4:cpu,memory:/x\n")},
			"sys/fs/cgroup/memory/x/memory.limit_in_bytes": {Data: []byte("9223372036854771712\n")},
		}, nil, phys},
		{"cgroup over physical: physical", fstest.MapFS{
			"proc/meminfo":             meminfo,
			"proc/self/cgroup":         {Data: []byte("0::/\n")},
			"sys/fs/cgroup/memory.max": {Data: []byte("107374182400\n")},
		}, nil, phys},
		{"no cgroup file: root files", fstest.MapFS{
			"proc/meminfo":             meminfo,
			"sys/fs/cgroup/memory.max": {Data: []byte("3221225472\n")},
		}, nil, 3 * gib},
		{"garbage is no limit", fstest.MapFS{
			"proc/meminfo":             {Data: []byte("MemTotal: lots\n")},
			"proc/self/cgroup":         {Data: []byte("0::/\nnonsense\n")},
			"sys/fs/cgroup/memory.max": {Data: []byte("-5\n")},
		}, sysinfo, 8 * gib},
		{"no meminfo: sysinfo", fstest.MapFS{}, sysinfo, 8 * gib},
		{"nothing known", fstest.MapFS{}, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := machineMemory(tc.files, tc.sysinfo); got != tc.want {
				t.Errorf("machineMemory = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestSoftLimit(t *testing.T) {
	if got := softLimit(0); got != 0 {
		t.Errorf("softLimit(0) = %d, want 0 (no limit)", got)
	}
	if got, want := softLimit(4<<30), int64(3<<30); got != want {
		t.Errorf("softLimit(4 GiB) = %d, want %d", got, want)
	}
	if n := machineMemory(fstest.MapFS{}, sysinfoTotal); sysinfoTotal() > 0 && n <= 0 {
		t.Errorf("this machine's memory is unknown (sysinfo %d)", sysinfoTotal())
	}
}
