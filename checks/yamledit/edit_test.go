package yamledit

import "testing"

func TestApply(t *testing.T) {
	data := []byte("abcdef")
	for _, tc := range []struct {
		name  string
		edits []Edit
		want  string
		err   bool
	}{
		{name: "none", want: "abcdef"},
		{name: "replace", edits: []Edit{{Start: 1, End: 3, New: "XY"}}, want: "aXYdef"},
		{name: "delete", edits: []Edit{{Start: 0, End: 6}}, want: ""},
		{name: "sorted", edits: []Edit{{Start: 4, End: 5, New: "E"}, {Start: 0, End: 1, New: "A"}}, want: "AbcdEf"},
		{name: "insertions keep order", edits: []Edit{{Start: 2, End: 2, New: "1"}, {Start: 2, End: 2, New: "2"}}, want: "ab12cdef"},
		{name: "insertion before replacement", edits: []Edit{{Start: 2, End: 4, New: "R"}, {Start: 2, End: 2, New: "I"}}, want: "abIRef"},
		{name: "adjacent", edits: []Edit{{Start: 0, End: 2, New: "x"}, {Start: 2, End: 4, New: "y"}}, want: "xyef"},
		{name: "at end", edits: []Edit{{Start: 6, End: 6, New: "!"}}, want: "abcdef!"},
		{name: "overlap", edits: []Edit{{Start: 0, End: 3}, {Start: 2, End: 4}}, err: true},
		{name: "inside", edits: []Edit{{Start: 0, End: 5}, {Start: 2, End: 2, New: "x"}}, err: true},
		{name: "past end", edits: []Edit{{Start: 5, End: 7}}, err: true},
		{name: "negative", edits: []Edit{{Start: -1, End: 1}}, err: true},
		{name: "reversed", edits: []Edit{{Start: 3, End: 2}}, err: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Apply(data, tc.edits)
			if (err != nil) != tc.err {
				t.Fatalf("err = %v, want error %v", err, tc.err)
			}
			if err == nil && string(got) != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if string(data) != "abcdef" {
				t.Errorf("input modified: %q", data)
			}
		})
	}
}

func TestTrimEdit(t *testing.T) {
	data := []byte("a: 1\nb: 2\nc: 3\n")
	for _, tc := range []struct {
		name string
		in   Edit
		want Edit
	}{
		{"common lines dropped", Edit{Start: 0, End: 15, New: "a: 1\nb: 20\nc: 3\n"}, Edit{Start: 5, End: 10, New: "b: 20\n"}},
		{"pure insertion", Edit{Start: 5, End: 10, New: "x: 0\nb: 2\n"}, Edit{Start: 5, End: 5, New: "x: 0\n"}},
		{"nothing shared", Edit{Start: 0, End: 5, New: "z: 9\n"}, Edit{Start: 0, End: 5, New: "z: 9\n"}},
		{"mid-line start", Edit{Start: 3, End: 10, New: "1\nq: 1\nb: 2\n"}, Edit{Start: 5, End: 5, New: "q: 1\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := TrimEdit(data, tc.in)
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			a, _ := Apply(data, []Edit{tc.in})
			b, _ := Apply(data, []Edit{got})
			if string(a) != string(b) {
				t.Errorf("trimming changed the result: %q vs %q", a, b)
			}
		})
	}
}
