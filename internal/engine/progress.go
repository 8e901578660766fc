package engine

// Progress hears how far a run is: the engine calls Start once with the
// number of inputs, Begin when a worker starts a chart or a kustomization
// (the slow inputs), and Done when an input is finished. Calls come from
// the workers, concurrently. The engine never prints; the CLI's progress
// bar implements it.
type Progress interface {
	Start(total int)
	Begin(name string)
	Done()
}

// noProgress is the Progress of a run nobody watches.
type noProgress struct{}

func (noProgress) Start(int)    {}
func (noProgress) Begin(string) {}
func (noProgress) Done()        {}
