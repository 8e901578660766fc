package engine

import "syscall"

// sysinfoTotal is physical memory from the sysinfo system call (0 if it
// fails).
func sysinfoTotal() int64 {
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil {
		return 0
	}
	return int64(si.Totalram) * int64(si.Unit)
}
