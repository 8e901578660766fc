package scan

import (
	"reflect"
	"strconv"
	"text/template/parse"
)

// cond evaluates the condition of an if or with when it only reads values
// the compiler knows (.Values.x, $.Values.x, fields of a `with` on values,
// combined with not, and, or, eq, ne and literals), so that the alignment
// follows the branch the template took. known is false for anything else.
func (c *compiler) cond(p *parse.PipeNode, d dot) (taken, known bool) {
	if c.vals == nil || p == nil || len(p.Decl) > 0 || len(p.Cmds) != 1 {
		return false, false
	}
	v, ok := c.evalCmd(p.Cmds[0], d)
	if !ok {
		return false, false
	}
	return truth(v), true
}

func (c *compiler) evalCmd(cmd *parse.CommandNode, d dot) (any, bool) {
	if len(cmd.Args) == 0 {
		return nil, false
	}
	id, isFunc := cmd.Args[0].(*parse.IdentifierNode)
	if !isFunc {
		if len(cmd.Args) != 1 {
			return nil, false
		}
		return c.evalArg(cmd.Args[0], d)
	}
	args := cmd.Args[1:]
	switch id.Ident {
	case "not":
		if len(args) != 1 {
			return nil, false
		}
		v, ok := c.evalArg(args[0], d)
		return !truth(v), ok
	case "and", "or":
		if len(args) == 0 {
			return nil, false
		}
		allKnown := true
		for _, a := range args {
			v, ok := c.evalArg(a, d)
			if !ok {
				allKnown = false
				continue
			}
			if id.Ident == "and" && !truth(v) {
				return false, true
			}
			if id.Ident == "or" && truth(v) {
				return true, true
			}
		}
		if !allKnown {
			return nil, false
		}
		return id.Ident == "and", true
	case "eq", "ne":
		if len(args) != 2 {
			return nil, false
		}
		a, okA := c.evalArg(args[0], d)
		b, okB := c.evalArg(args[1], d)
		if !okA || !okB {
			return nil, false
		}
		// Only strings and booleans compare with certainty; numbers from
		// values (float64) and literals (int) do not compare in templates.
		_, sa := a.(string)
		_, sb := b.(string)
		_, ba := a.(bool)
		_, bb := b.(bool)
		if !(sa && sb) && !(ba && bb) {
			return nil, false
		}
		eq := a == b
		if id.Ident == "ne" {
			return !eq, true
		}
		return eq, true
	}
	return nil, false
}

func (c *compiler) evalArg(n parse.Node, d dot) (any, bool) {
	switch n := n.(type) {
	case *parse.PipeNode:
		if len(n.Decl) > 0 || len(n.Cmds) != 1 {
			return nil, false
		}
		return c.evalCmd(n.Cmds[0], d)
	case *parse.StringNode:
		return n.Text, true
	case *parse.BoolNode:
		return n.True, true
	case *parse.NilNode:
		return nil, true
	case *parse.FieldNode, *parse.VariableNode, *parse.DotNode:
		vp, ok := refValues(n, d)
		if !ok {
			return nil, false
		}
		v, _ := valueAt(c.vals, vp)
		return v, true
	}
	return nil, false
}

// refValues resolves one reference to a values path.
func refValues(n parse.Node, d dot) ([]string, bool) {
	switch n := n.(type) {
	case *parse.FieldNode:
		switch {
		case d.root && len(n.Ident) >= 2 && n.Ident[0] == "Values":
			return n.Ident[1:], true
		case d.known && d.values != nil:
			return append(append([]string{}, d.values...), n.Ident...), true
		}
	case *parse.VariableNode:
		if len(n.Ident) >= 3 && n.Ident[0] == "$" && n.Ident[1] == "Values" {
			return n.Ident[2:], true
		}
	case *parse.DotNode:
		if d.known && d.values != nil {
			return d.values, true
		}
	}
	return nil, false
}

// valueAt walks a values tree (maps of any map type, slices) along a path.
func valueAt(root any, path []string) (any, bool) {
	cur := root
	for _, k := range path {
		rv := reflect.ValueOf(cur)
		switch rv.Kind() {
		case reflect.Map:
			if rv.Type().Key().Kind() != reflect.String {
				return nil, false
			}
			e := rv.MapIndex(reflect.ValueOf(k).Convert(rv.Type().Key()))
			if !e.IsValid() {
				return nil, false
			}
			cur = e.Interface()
		case reflect.Slice:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= rv.Len() {
				return nil, false
			}
			cur = rv.Index(i).Interface()
		default:
			return nil, false
		}
	}
	return cur, true
}

// truth is text/template's notion of a true value.
func truth(v any) bool {
	if v == nil {
		return false
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Bool:
		return rv.Bool()
	case reflect.String, reflect.Map, reflect.Slice, reflect.Array:
		return rv.Len() > 0
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int() != 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return rv.Uint() != 0
	case reflect.Float32, reflect.Float64:
		return rv.Float() != 0
	case reflect.Pointer, reflect.Interface:
		return !rv.IsNil()
	}
	return true
}
