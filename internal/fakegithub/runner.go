package fakegithub

import "strings"

// ParseOutputFile reads the runner's $GITHUB_OUTPUT file in the heredoc form
// go-githubactions writes (NAME<<DELIMITER, the value's lines, DELIMITER):
// the runner's side of the outputs, for tests.
func ParseOutputFile(s string) map[string]string {
	out := map[string]string{}
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); i++ {
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			continue
		}
		var val []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			val = append(val, lines[i])
		}
		out[name] = strings.Join(val, "\n")
	}
	return out
}
