package scan

import (
	"bytes"
	"path"
	"sort"
	"strings"
	"text/template/parse"

	"helm.sh/helm/v4/pkg/chart/common"
)

// callersOf finds the top-level templates (not _helpers) whose execution
// reaches the named template (a define) that holds line `line` of helper
// file `file`, through `template` or `include`, directly or by way of other
// defines. Helm reports a failure inside a helper at the helper's line
// only (for `template`, and for `fail`, the chain of callers is dropped),
// so this is how one failing helper costs the chart only the templates that
// call it.
func callersOf(templates map[string]*common.File, file string, line int) []string {
	trees := map[string]*parse.Tree{}
	srcs := map[string][]byte{}
	for name, t := range templates {
		pt := parse.New(name)
		pt.Mode = parse.SkipFuncCheck
		set := map[string]*parse.Tree{}
		if _, err := pt.Parse(string(t.Data), "{{", "}}", set); err != nil {
			continue
		}
		srcs[name] = t.Data
		for n, tr := range set {
			if old, ok := trees[n]; !ok || old.ParseName > tr.ParseName {
				trees[n] = tr // Helm's order: a later file's define wins; either will do here
			}
		}
	}
	src, ok := srcs[file]
	if !ok || line < 1 {
		return nil
	}
	// The define of file that holds the line: the one starting last before it.
	off := lineOffset(src, line)
	failing, best := "", -1
	for n, tr := range trees {
		if tr.ParseName != file || tr.Root == nil || n == file {
			continue
		}
		if start := int(tr.Root.Position()); start <= off && start > best {
			failing, best = n, start
		}
	}
	if failing == "" {
		return nil
	}
	// Who calls whom.
	calledBy := map[string][]string{}
	for n, tr := range trees {
		for _, callee := range callees(tr.Root) {
			calledBy[callee] = append(calledBy[callee], n)
		}
	}
	var out []string
	seen := map[string]bool{failing: true}
	queue := []string{failing}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, caller := range calledBy[n] {
			if seen[caller] {
				continue
			}
			seen[caller] = true
			if _, isFile := templates[caller]; isFile && !strings.HasPrefix(path.Base(caller), "_") {
				out = append(out, caller)
			}
			queue = append(queue, caller)
		}
	}
	sort.Strings(out)
	return out
}

// lineOffset is the byte offset where line (1-based) starts in src.
func lineOffset(src []byte, line int) int {
	off := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(src[off:], '\n')
		if i < 0 {
			return len(src)
		}
		off += i + 1
	}
	return off
}

// callees lists the templates a parse tree calls: {{ template "x" }} and
// include "x".
func callees(n parse.Node) []string {
	var out []string
	var walk func(parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case nil:
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.TemplateNode:
			out = append(out, n.Name)
			walk(n.Pipe)
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n == nil {
				return
			}
			for _, c := range n.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			if len(n.Args) >= 2 {
				if id, ok := n.Args[0].(*parse.IdentifierNode); ok && (id.Ident == "include" || id.Ident == "tpl") {
					if s, ok := n.Args[1].(*parse.StringNode); ok {
						out = append(out, s.Text)
					}
				}
			}
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		}
	}
	walk(n)
	return out
}
