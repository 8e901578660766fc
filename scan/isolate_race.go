//go:build race

package scan

// A race-detector build (go test -race) renders in process by default: a
// child process of a race build starts slowly and needs gigabytes of shadow
// address space, which the render's memory limit cannot give it. The tests
// of the child process set Isolate themselves, and the built binary the
// hostile tests run is not a race build.
func init() { Isolate = false }
