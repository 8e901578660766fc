//go:build unix

package logsink

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestCapture runs itself as a child that captures its descriptors, prints
// as a library would (straight to os.Stdout and os.Stderr) and as
// kubeready does (to the returned files), and checks what reached the
// child's real stdout and stderr.
func TestCapture(t *testing.T) {
	if os.Getenv("LOGSINK_CAPTURE_CHILD") == "1" {
		w := Install(os.Stderr)
		stdout, stderr, end := Capture(w)
		fmt.Fprintln(os.Stdout, "library on stdout")
		fmt.Fprintln(os.Stderr, "::warning::forged by a library")
		fmt.Fprintln(stdout, "own report")
		fmt.Fprintln(stderr, "own message")
		end()
		fmt.Fprintln(os.Stdout, "after the end")
		os.Exit(0)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCapture$")
	cmd.Env = append(os.Environ(), "LOGSINK_CAPTURE_CHILD=1")
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	if out.String() != "own report\nafter the end\n" {
		t.Errorf("stdout = %q", out.String())
	}
	wantErr := []string{"own message\n", Prefix + "library on stdout\n", Prefix + "::warning::forged by a library\n"}
	for _, w := range wantErr {
		if !strings.Contains(errb.String(), w) {
			t.Errorf("stderr misses %q:\n%s", w, errb.String())
		}
	}
	for _, line := range strings.Split(errb.String(), "\n") {
		if strings.HasPrefix(line, "::") {
			t.Errorf("raw workflow command on stderr: %q", line)
		}
	}
}
