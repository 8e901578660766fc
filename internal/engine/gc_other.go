//go:build !linux

package engine

// sysinfoTotal is unknown outside Linux: without /proc/meminfo there, the
// binary keeps Go's default (no soft limit).
func sysinfoTotal() int64 { return 0 }
