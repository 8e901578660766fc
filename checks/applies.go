package checks

// step is one point on a rule's severity over target versions: from target
// From on, the rule reports at Sev.
type step struct {
	From string
	Sev  Severity
}

// stepped returns a SeverityAt for steps given oldest first: the rule does
// not apply before the first step and takes the severity of the newest step
// the target has reached.
func stepped(steps ...step) func(Version) (Severity, bool) {
	for i := 1; i < len(steps); i++ {
		if !MustVersion(steps[i-1].From).Less(MustVersion(steps[i].From)) {
			panic("checks: severity steps out of order at " + steps[i].From)
		}
	}
	return func(target Version) (Severity, bool) {
		sev, ok := Info, false
		for _, s := range steps {
			if target.AtLeast(MustVersion(s.From)) {
				sev, ok = s.Sev, true
			}
		}
		return sev, ok
	}
}

// always is the Since of rules that apply at every target kubeready checks.
const always = "1.16"
