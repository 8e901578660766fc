package cli

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubeready/kubeready/internal/golden"
)

// screenshotPath is the screenshot the README shows; -update rewrites it.
const screenshotPath = "docs/img/plan.png"

// TestHTMLReportInBrowser renders the plan fixture (1.24 → 1.29) as HTML,
// opens the file in headless Chromium (Debian's package, started here) and
// checks on the screenshot that the plan table and the chart are drawn:
// the table's header row and the chart's bars in each severity colour.
// Chromium missing skips the test, except under CI=true (.ci/run installs
// it). -update copies the screenshot to docs/img/plan.png.
func TestHTMLReportInBrowser(t *testing.T) {
	browser, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed (.ci/run installs it with apt-get)")
		}
		t.Skip("chromium is not installed")
	}
	var stdout, stderr bytes.Buffer
	Run(context.Background(), []string{"--format", "html", "--current", "1.24", "--target", "1.29", "testdata/plan"}, strings.NewReader(""), &stdout, &stderr)
	if stdout.Len() == 0 {
		t.Fatalf("no report: %s", stderr.String())
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "plan.html")
	shot := filepath.Join(dir, "plan.png")
	if err := os.WriteFile(page, stdout.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--no-first-run", "--user-data-dir="+filepath.Join(dir, "profile"), "--screenshot="+shot, "--window-size=1200,900", "file://"+page)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	if b.Dx() != 1200 || b.Dy() != 900 {
		t.Errorf("screenshot %v, want 1200×900", b)
	}
	// The table's header cells are #f4f4f4; the chart's bars #c62828,
	// #ef6c00 and #1565c0 (annotate/html.go), drawn below the table.
	tableTop, tableRows := rows(img, color.RGBA{0xf4, 0xf4, 0xf4, 0xff}, 400)
	for name, c := range map[string]color.RGBA{"error": {0xc6, 0x28, 0x28, 0xff}, "warning": {0xef, 0x6c, 0x00, 0xff}, "info": {0x15, 0x65, 0xc0, 0xff}} {
		top, n := rows(img, c, 20)
		if n < 8 {
			t.Errorf("the chart's %s bars are not visible (%d rows of that colour)", name, n)
		} else if tableRows > 0 && top < tableTop {
			t.Errorf("the %s bars are above the plan table", name)
		}
	}
	if tableRows < 10 {
		t.Errorf("the plan table's header is not visible (%d rows of its colour)", tableRows)
	}
	if *golden.Update {
		data, err := os.ReadFile(shot)
		if err == nil {
			err = os.WriteFile(screenshotPath, data, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// rows counts the screenshot's rows holding a run of at least minRun
// pixels of exactly c side by side (a bar or a cell, not text), and returns
// the first such row.
func rows(img image.Image, c color.RGBA, minRun int) (first, n int) {
	b := img.Bounds()
	first = -1
	for y := b.Min.Y; y < b.Max.Y; y++ {
		run, longest := 0, 0
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(bl>>8) == c.B {
				run++
				longest = max(longest, run)
			} else {
				run = 0
			}
		}
		if longest >= minRun {
			if first < 0 {
				first = y
			}
			n++
		}
	}
	return first, n
}
