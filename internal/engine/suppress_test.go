package engine

import (
	"slices"
	"testing"
)

func TestParseIgnore(t *testing.T) {
	for _, tc := range []struct {
		line   string
		rules  []string
		reason string
	}{
		{"# kubeready:ignore a", []string{"a"}, ""},
		{"#kubeready:ignore a,b why not", []string{"a", "b"}, "why not"},
		{"  x: y   #   kubeready:ignore a, b,c  spaced   out", []string{"a", "b", "c"}, "spaced out"},
		{"x: y # other # kubeready:ignore a r", []string{"a"}, "r"},
		{"x: y#kubeready:ignore a", nil, ""},  // part of the value, not a comment
		{"# kubeready:ignored a", nil, ""},    // another word
		{"# kubeready:ignore", nil, ""},       // no rule
		{"# see kubeready:ignore a", nil, ""}, // not at the comment's start
		{"x: 'kubeready:ignore a'", nil, ""},  // no comment at all
		{"# kubeready:ignore\ta\treason", []string{"a"}, "reason"},
	} {
		rules, reason, ok := parseIgnore([]byte(tc.line))
		if !slices.Equal(rules, tc.rules) || reason != tc.reason || ok != (tc.rules != nil) {
			t.Errorf("parseIgnore(%q) = %q, %q, %v; want %q, %q", tc.line, rules, reason, ok, tc.rules, tc.reason)
		}
	}
}
