package checks

// registry lists every rule in the order `kubeready rules` prints them.
// Add a new rule here, then regenerate docs/rules.md with `go generate .`
// (TestRulesDoc fails while it is out of date).
var registry = []*Rule{
	apiRemoved,
	apiDeprecated,
	InvalidYAML,
	FileTooLarge,
	LimitExceeded,
	FileUnreadable,
	InternalError,
}
