//go:build !linux

package scan

// limitMemory does nothing outside Linux: there, a render is bounded in
// time and output only (RLIMIT_AS is not enforced on macOS, and Windows has
// no such limit).
func limitMemory(extra int64) {}
