package i18n

// Sentences must never be glued together from translated fragments: word
// order, agreement and even the direction of a sentence differ between
// languages, so "{{.T "you_have"}} 3 {{.T "messages"}}" cannot be
// translated. One sentence is one message with placeholders.
//
// The heuristic. A template is cut into runs of text that a reader sees
// as one piece: a run ends at every HTML tag, at the quotes around an
// attribute value, and at {{if}}, {{range}}, {{with}}, {{else}}, {{end}}
// and {{template}} (branches are alternatives, not neighbours). Within a
// run, data ({{.Name}}) and punctuation are fine. A run fails when it holds
// two translated messages, or one translated message next to a literal
// word of two or more letters. So "{{.N.Name}} ({{.T "level.buurt"}})" is
// a label and passes, and "<td>{{.T "a"}}</td><td>{{.T "b"}}</td>" passes,
// but "{{.T "a"}} {{.T "b"}}", "{{.T "a"}}: {{.T "b"}}" and
// "Hallo {{.T "name"}}" fail. Go code gets the same rule for "+" and
// fmt.Sprintf: a translated message may not be joined to another one or to
// a literal word.

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"strings"
	"testing"
	"text/template/parse"
)

var wordRE = regexp.MustCompile(`\p{L}{2,}`)

type runMode int

const (
	inText runMode = iota
	inTag
	inAttr
)

// concatChecker walks one template tree and reports glued runs.
type concatChecker struct {
	tree  *parse.Tree
	file  string
	mode  runMode
	quote byte
	t     int    // translated messages in the current run
	words int    // literal words in the current run
	first string // where the run's first translated message is
	bad   []string
}

func (c *concatChecker) flush() {
	if c.t >= 2 || (c.t >= 1 && c.words >= 1) {
		c.bad = append(c.bad, fmt.Sprintf("%s: translated text glued to %s", c.first,
			map[bool]string{true: "another translated text", false: "literal words"}[c.t >= 2]))
	}
	c.t, c.words, c.first = 0, 0, ""
}

func (c *concatChecker) text(s string) {
	var seg strings.Builder // visible text of the current run
	words := func() {
		c.words += len(wordRE.FindAllString(seg.String(), -1))
		seg.Reset()
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch c.mode {
		case inText:
			if ch == '<' {
				words()
				c.flush()
				c.mode = inTag
				continue
			}
			seg.WriteByte(ch)
		case inTag:
			if ch == '"' || ch == '\'' {
				c.mode, c.quote = inAttr, ch
			} else if ch == '>' {
				c.mode = inText
			}
		case inAttr:
			if ch == c.quote {
				words()
				c.flush()
				c.mode = inTag
				continue
			}
			seg.WriteByte(ch)
		}
	}
	words()
}

func (c *concatChecker) list(l *parse.ListNode) {
	if l == nil {
		return
	}
	for _, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			c.text(string(n.Text))
		case *parse.ActionNode:
			if c.mode == inTag {
				continue // e.g. {{if …}}selected{{end}} between attributes
			}
			if len(n.Pipe.Cmds) > 0 && translateCall(n.Pipe.Cmds[0]) != "" {
				if c.t == 0 {
					c.first = location(c.tree, n, c.file)
				}
				c.t++
			}
		case *parse.IfNode:
			c.branch(&n.BranchNode)
		case *parse.RangeNode:
			c.branch(&n.BranchNode)
		case *parse.WithNode:
			c.branch(&n.BranchNode)
		case *parse.TemplateNode:
			c.flush()
		}
	}
}

func (c *concatChecker) branch(b *parse.BranchNode) {
	c.flush()
	mode, quote := c.mode, c.quote
	c.list(b.List)
	c.flush()
	if b.ElseList != nil {
		c.mode, c.quote = mode, quote
		c.list(b.ElseList)
		c.flush()
	}
}

func checkConcat(file string, tree *parse.Tree) []string {
	c := &concatChecker{tree: tree, file: file}
	c.list(tree.Root)
	c.flush()
	return c.bad
}

func TestTemplatesDoNotGlueSentences(t *testing.T) {
	n := 0
	for file, trees := range templateFiles(t) {
		for _, tree := range trees {
			n++
			for _, b := range checkConcat(file, tree) {
				t.Error(b)
			}
		}
	}
	if n < 10 {
		t.Fatalf("checked only %d templates", n)
	}
}

// The heuristic itself, on small templates.
func TestConcatHeuristic(t *testing.T) {
	cases := []struct {
		tmpl string
		bad  bool
	}{
		{`<p>{{.T "a"}}</p>`, false},
		{`<p>{{.T "a" "Name" .Name}}</p>`, false},
		{`<td>{{.T "a"}}</td><td>{{.T "b"}}</td>`, false},
		{`{{.Name}} ({{$.T (print "level." .Level)}})`, false},
		{`<label><input type="checkbox"> {{.T "a"}}</label>`, false},
		{`<a title="{{.T "a"}}">{{.T "b"}}</a>`, false},
		{`{{if .X}}{{.T "a"}}{{else}}{{.T "b"}}{{end}}`, false},
		{`<span>{{.T "a"}}</span> · {{.Count}}`, false},
		{`<option {{if .S}}selected{{end}}>{{.T "a"}}</option>`, false},
		{`<p>{{.T "a"}} {{.T "b"}}</p>`, true},
		{`<p>{{.T "a"}}: {{$.T "b"}}</p>`, true},
		{`<p>Hallo {{.T "name"}}</p>`, true},
		{`<p>{{.N "count" 3}} buurten</p>`, true},
		{`<a title="{{.T "a"}} {{.T "b"}}">x</a>`, true},
		{`<a title="Open {{.T "a"}}">x</a>`, true},
		{`<p>{{.T "a"}}{{if .X}} en {{end}}</p>`, false}, // a branch is a run of its own
	}
	for _, tc := range cases {
		tr := parse.New("t")
		tr.Mode = parse.SkipFuncCheck
		trees := map[string]*parse.Tree{}
		if _, err := tr.Parse(tc.tmpl, "", "", trees); err != nil {
			t.Fatal(err)
		}
		bad := checkConcat("t", trees["t"])
		if (len(bad) > 0) != tc.bad {
			t.Errorf("%s: reported %v, want bad=%v", tc.tmpl, bad, tc.bad)
		}
	}
}

// In Go code, a translated message is never joined with "+" or
// fmt.Sprintf to another translated message or to a literal word.
func TestGoCodeDoesNotGlueSentences(t *testing.T) {
	fset, files := goFiles(t)
	for _, f := range files {
		for _, b := range goConcat(fset, f) {
			t.Error(b)
		}
	}
}

func goConcat(fset *token.FileSet, f *ast.File) []string {
	var bad []string
	check := func(n ast.Node, parts []ast.Expr) {
		tcount, words := 0, 0
		for _, p := range parts {
			if _, ok := isTranslateCall(p); ok {
				tcount++
			} else if s, ok := stringLit(p); ok {
				words += len(wordRE.FindAllString(stripVerbs(s), -1))
			}
		}
		if tcount >= 2 || (tcount >= 1 && words >= 1) {
			bad = append(bad, fmt.Sprintf("%s: translated text glued to other text", fset.Position(n.Pos())))
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BinaryExpr:
			if n.Op != token.ADD {
				return true
			}
			check(n, flattenAdd(n))
			return false // the whole chain is checked once
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == "fmt" && strings.HasSuffix(sel.Sel.Name, "printf") {
					check(n, n.Args)
				}
			}
		}
		return true
	})
	return bad
}

// stripVerbs removes fmt verbs so that "%s: %d" counts no words.
func stripVerbs(s string) string {
	return verbRE.ReplaceAllString(s, "")
}

var verbRE = regexp.MustCompile(`%[-+# 0-9.*]*[a-zA-Z]`)

func flattenAdd(e ast.Expr) []ast.Expr {
	if b, ok := e.(*ast.BinaryExpr); ok && b.Op == token.ADD {
		return append(flattenAdd(b.X), flattenAdd(b.Y)...)
	}
	if p, ok := e.(*ast.ParenExpr); ok {
		return flattenAdd(p.X)
	}
	return []ast.Expr{e}
}

func TestGoConcatHeuristic(t *testing.T) {
	cases := []struct {
		src string
		bad bool
	}{
		{`x := l.T("a")`, false},
		{`x := "error.heading." + strconv.Itoa(s)`, false},
		{`x := l.T("a") + " " + l.T("b")`, true},
		{`x := "Hallo " + l.T("a")`, true},
		{`x := l.T("a") + ": " + name`, false},
		{`x := fmt.Sprintf("%s %s", l.T("a"), l.T("b"))`, true},
		{`x := fmt.Sprintf("%s (%d)", l.T("a"), n)`, false},
		{`x := fmt.Sprintf("Fout: %s", l.T("a"))`, true},
	}
	for _, tc := range cases {
		fset := token.NewFileSet()
		f := parseGo(t, fset, "package p\nfunc f() {\n"+tc.src+"\n_ = x\n}\n")
		if bad := goConcat(fset, f); (len(bad) > 0) != tc.bad {
			t.Errorf("%s: reported %v, want bad=%v", tc.src, bad, tc.bad)
		}
	}
}

func parseGo(t *testing.T, fset *token.FileSet, src string) *ast.File {
	t.Helper()
	f, err := parser.ParseFile(fset, "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
