package checks

// Test-only exports for the engine fixture runner (engine_fixtures_test.go,
// package checks_test, which may import internal/engine).

// FixtureFile is one fixture file read with its wants.
type FixtureFile = fixture

// ReadFixtureFile reads a fixture file (readFixture).
var ReadFixtureFile = readFixture

// FixtureRoot is the folder of the per-rule fixtures.
const FixtureRoot = fixtureDir

// Path is the fixture file's path.
func (fx *fixture) Path() string { return fx.path }

// Target and Platform are the fixture header's.
func (fx *fixture) Target() string   { return fx.target }
func (fx *fixture) Platform() string { return fx.platform }

// Match marks the first unmatched want that f satisfies.
func (fx *fixture) Match(f Finding) bool { return fx.match(f) != nil }

// Unmatched lists the wants no finding satisfied.
func (fx *fixture) Unmatched() []string {
	var out []string
	for _, w := range fx.wants {
		if !w.matched {
			out = append(out, w.String())
		}
	}
	return out
}

// Rules are the rules a fixture of folder's rule runs.
func (fx *fixture) Rules(folder string) []string { return fx.rules(folder) }

// EngineReported reports whether a rule is reported by the engine (no
// Check of its own).
func EngineReported(id string) bool {
	r := Lookup(id)
	return r != nil && r.Check == nil && r.CheckSet == nil
}
