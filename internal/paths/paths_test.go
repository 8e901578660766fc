package paths

import "testing"

func TestWithin(t *testing.T) {
	for _, tc := range []struct {
		path, dir string
		want      bool
	}{
		{"/r/a.yaml", "/r", true},
		{"/r", "/r", true},
		{"/r/", "/r", true},
		{"/r/sub/../a", "/r", true},
		{"/rx/a", "/r", false},
		{"/a", "/r", false},
		{"/r/../etc/passwd", "/r", false},
		{"a/b", "a", true},
		{"a/../../b", "a", false},
		{"..", ".", false},
		{"../x", ".", false},
		{"..x", ".", true}, // a file named "..x" is inside
		{"x", ".", true},
		{"/abs", ".", false}, // mixed absolute and relative
	} {
		if got := Within(tc.path, tc.dir); got != tc.want {
			t.Errorf("Within(%q, %q) = %v, want %v", tc.path, tc.dir, got, tc.want)
		}
	}
}

func TestRel(t *testing.T) {
	if rel, ok := Rel("/r", "/r/a/b.yaml"); !ok || rel != "a/b.yaml" {
		t.Errorf("Rel = %q, %v", rel, ok)
	}
	if _, ok := Rel("/r", "/etc"); ok {
		t.Error("Rel(/r, /etc) is inside")
	}
}
