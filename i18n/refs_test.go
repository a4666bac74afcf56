package i18n

// These tests read the rest of the repository: the templates in clients/
// and the Go code in server/ and clients/. They check that every message
// id the code can ask for exists in nl.toml, that templates pass exactly
// the placeholders a message needs, and that nobody builds a sentence by
// gluing translated fragments together.

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/template/parse"
	"unicode"

	"github.com/buurtstem/buurtstem/i18n/internal/localefile"
)

// repoRoot is the module root, seen from this package's directory.
const repoRoot = ".."

// ref is one message id the code or a template asks for.
type ref struct {
	key   string
	where string // file:line
}

// computedKeys lists every key prefix that code or templates complete at
// run time, with where the possible endings come from. A new computed
// prefix fails TestEveryReferencedKeyExists until it is added here, so
// that its endings are checked too.
var computedKeys = map[string]func(t *testing.T) []string{
	// {{.T (print "level." .Level)}}: the values of model.Level.
	"level.": func(t *testing.T) []string { return stringConsts(t, "server/model", "Level", "") },
	// {{.T (print "role." .Role)}}: the values of model.Role.
	"role.": func(t *testing.T) []string { return stringConsts(t, "server/model", "Role", "") },
	// l.T("error.heading." + strconv.Itoa(status)) in the error handler.
	"error.heading.": errorStatuses,
	// c.lang.T("live.error." + code): the error codes of the live protocol.
	"live.error.": func(t *testing.T) []string { return stringConsts(t, "server/live/protocol", "", "Err") },
	// Moderation decisions (#6): the actions of package decisions, the
	// moderation states, and the reasons a moderator hides input for.
	"decision.action.": func(t *testing.T) []string { return stringConsts(t, "server/decisions", "", "Action") },
	"decision.state.":  func(t *testing.T) []string { return stringConsts(t, "server/model", "ModerationState", "") },
	"decision.reason.": func(t *testing.T) []string { return stringConsts(t, "server/model", "", "Hide") },
	"moderation.why.":  func(t *testing.T) []string { return stringConsts(t, "server/model", "", "Hide") },
}

// handlerStatuses are the statuses the error handler answers with today;
// errorStatuses adds every status named in the file that builds the
// heading key.
var handlerStatuses = []int{400, 401, 403, 404, 405, 408, 409, 413, 429, 500, 503}

// keyPattern is what a literal message id looks like.
var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)

func TestEveryReferencedKeyExists(t *testing.T) {
	c := load(t)
	src := c.messages[Source]
	refs, computed := templateRefs(t)
	goRefs, goComputed := goRefs(t, c)
	refs = append(refs, goRefs...)
	for p, where := range goComputed {
		computed[p] = append(computed[p], where...)
	}
	if len(refs) < 50 {
		t.Fatalf("found only %d literal message ids; the scanner is broken", len(refs))
	}
	for _, r := range refs {
		if _, ok := src[r.key]; !ok {
			t.Errorf("%s: message %q is not in nl.toml", r.where, r.key)
		}
	}
	for _, need := range []string{"level.", "role.", "error.heading."} {
		if _, ok := computed[need]; !ok {
			t.Errorf("no use of the computed key %q found; the scanner is broken or the table above is stale", need)
		}
	}
	for prefix, where := range computed {
		endings, ok := computedKeys[prefix]
		if !ok {
			t.Errorf("%s: computed message id %q…: add it to computedKeys in refs_test.go with where its endings come from", where[0], prefix)
			continue
		}
		values := endings(t)
		if len(values) == 0 {
			t.Errorf("%s: found no possible endings for %q…", where[0], prefix)
		}
		for _, v := range values {
			if _, ok := src[prefix+v]; !ok {
				t.Errorf("%s: message %q (computed) is not in nl.toml", where[0], prefix+v)
			}
		}
	}
	for m := 1; m <= 12; m++ { // Localizer.Date
		if _, ok := src[fmt.Sprintf("month.%d", m)]; !ok {
			t.Errorf("month.%d is not in nl.toml", m)
		}
	}
}

// templateFiles returns every template under clients/, parsed without
// function checks (the functions are the server's business).
func templateFiles(t *testing.T) map[string]map[string]*parse.Tree {
	t.Helper()
	out := map[string]map[string]*parse.Tree{}
	err := filepath.WalkDir(filepath.Join(repoRoot, "clients"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		trees := map[string]*parse.Tree{}
		tr := parse.New(p)
		tr.Mode = parse.SkipFuncCheck
		if _, err := tr.Parse(string(b), "", "", trees); err != nil {
			return err
		}
		out[p] = trees
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("no templates found under clients/")
	}
	return out
}

// translateCall tells whether a command is {{.T …}}, {{$.T …}} or the N
// forms, and returns "T" or "N".
func translateCall(cmd *parse.CommandNode) string {
	if len(cmd.Args) < 2 {
		return ""
	}
	var ident []string
	switch n := cmd.Args[0].(type) {
	case *parse.FieldNode:
		ident = n.Ident
	case *parse.VariableNode:
		if len(n.Ident) == 2 && n.Ident[0] == "$" {
			ident = n.Ident[1:]
		}
	}
	if len(ident) == 1 && (ident[0] == "T" || ident[0] == "N") {
		return ident[0]
	}
	return ""
}

// walkTemplate calls visit for every node.
func walkTemplate(n parse.Node, visit func(parse.Node)) {
	if n == nil {
		return
	}
	visit(n)
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walkTemplate(c, visit)
		}
	case *parse.ActionNode:
		walkTemplate(n.Pipe, visit)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walkTemplate(c, visit)
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			walkTemplate(a, visit)
		}
	case *parse.IfNode:
		walkBranch(&n.BranchNode, visit)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, visit)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, visit)
	case *parse.TemplateNode:
		walkTemplate(n.Pipe, visit)
	case *parse.ChainNode:
		walkTemplate(n.Node, visit)
	}
}

func walkBranch(b *parse.BranchNode, visit func(parse.Node)) {
	walkTemplate(b.Pipe, visit)
	walkTemplate(b.List, visit)
	if b.ElseList != nil {
		walkTemplate(b.ElseList, visit)
	}
}

// templateRefs finds the message ids the templates ask for, and checks
// that each literal call passes exactly the placeholders the message needs.
func templateRefs(t *testing.T) ([]ref, map[string][]string) {
	c := load(t)
	var refs []ref
	computed := map[string][]string{}
	for file, trees := range templateFiles(t) {
		for _, tree := range trees {
			walkTemplate(tree.Root, func(n parse.Node) {
				cmd, ok := n.(*parse.CommandNode)
				if !ok {
					return
				}
				kind := translateCall(cmd)
				if kind == "" {
					return
				}
				where := location(tree, cmd, file)
				switch key := cmd.Args[1].(type) {
				case *parse.StringNode:
					refs = append(refs, ref{key.Text, where})
					checkTemplateArgs(t, c, where, kind, key.Text, cmd.Args[2:])
				case *parse.PipeNode:
					// (print "level." .Level)
					if p, ok := printPrefix(key); ok {
						computed[p] = append(computed[p], where)
						return
					}
					t.Errorf("%s: the message id is neither a literal nor (print \"prefix.\" value)", where)
				default:
					t.Errorf("%s: the message id is neither a literal nor (print \"prefix.\" value)", where)
				}
			})
		}
	}
	return refs, computed
}

func location(tree *parse.Tree, n parse.Node, file string) string {
	loc, _ := tree.ErrorContext(n)
	if _, rest, ok := strings.Cut(loc, ":"); ok {
		return filepath.ToSlash(strings.TrimPrefix(file, repoRoot+string(filepath.Separator))) + ":" + rest
	}
	return file
}

func printPrefix(p *parse.PipeNode) (string, bool) {
	if len(p.Cmds) != 1 || len(p.Cmds[0].Args) < 2 {
		return "", false
	}
	fn, ok := p.Cmds[0].Args[0].(*parse.IdentifierNode)
	if !ok || fn.Ident != "print" {
		return "", false
	}
	s, ok := p.Cmds[0].Args[1].(*parse.StringNode)
	if !ok || !strings.HasSuffix(s.Text, ".") {
		return "", false
	}
	return s.Text, true
}

// checkTemplateArgs compares the placeholder names a template passes
// ({{.T "home.greeting" "Name" .Staff.Name}}) with those the Dutch message
// uses: a missing one would show "<no value>", an extra one is a typo.
func checkTemplateArgs(t *testing.T, c *Catalog, where, kind, key string, args []parse.Node) {
	m, ok := c.messages[Source][key]
	if !ok {
		return // reported as a missing key
	}
	if kind == "N" {
		if len(args) == 0 {
			t.Errorf("%s: N %q has no count", where, key)
			return
		}
		args = args[1:]
	}
	var passed []string
	for i := 0; i < len(args); i += 2 {
		s, ok := args[i].(*parse.StringNode)
		if !ok || i+1 >= len(args) {
			t.Errorf("%s: arguments of %q must be pairs of \"Name\" value", where, key)
			return
		}
		passed = append(passed, s.Text)
	}
	if kind == "N" {
		passed = append(passed, "Count")
	}
	need := map[string]bool{}
	for _, text := range forms(m) {
		for _, p := range localefile.Placeholders(text) {
			need[strings.TrimPrefix(p, ".")] = true
		}
	}
	var needed []string
	for p := range need {
		needed = append(needed, p)
	}
	slices.Sort(needed)
	slices.Sort(passed)
	if !slices.Equal(needed, passed) {
		t.Errorf("%s: %q is given %v, but the message uses %v", where, key, passed, needed)
	}
}

// goFiles parses the non-test Go files of the server, the clients and
// this package.
func goFiles(t *testing.T) (*token.FileSet, map[string]*ast.File) {
	t.Helper()
	fset := token.NewFileSet()
	out := map[string]*ast.File{}
	for _, dir := range []string{"server", "clients", "i18n"} {
		err := filepath.WalkDir(filepath.Join(repoRoot, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			out[p] = f
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return fset, out
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// isTranslateCall tells whether e is x.T(…) or x.N(…).
func isTranslateCall(e ast.Expr) (*ast.CallExpr, bool) {
	call, ok := e.(*ast.CallExpr)
	if !ok || len(call.Args) == 0 {
		return nil, false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || (sel.Sel.Name != "T" && sel.Sel.Name != "N") {
		return nil, false
	}
	return call, true
}

// goRefs finds the message ids Go code asks for: apperr.New(kind, "id"),
// apperr.Invalid(field, "id"), MsgID: "id", x.T("id")/x.N("id"), ids as
// values of map literals (the flash messages), and computed ids built as
// "prefix." + value.
func goRefs(t *testing.T, c *Catalog) ([]ref, map[string][]string) {
	fset, files := goFiles(t)
	namespaces := map[string]bool{}
	for id := range c.messages[Source] {
		ns, _, _ := strings.Cut(id, ".")
		namespaces[ns] = true
	}
	var refs []ref
	computed := map[string][]string{}
	add := func(n ast.Node, key string) {
		refs = append(refs, ref{key, fset.Position(n.Pos()).String()})
	}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
					if x, ok := sel.X.(*ast.Ident); ok && x.Name == "apperr" && (sel.Sel.Name == "New" || sel.Sel.Name == "Invalid") && len(n.Args) == 2 {
						if s, ok := stringLit(n.Args[1]); ok {
							add(n, s)
						}
					}
				}
				if call, ok := isTranslateCall(n); ok {
					if s, ok := stringLit(call.Args[0]); ok {
						add(n, s)
					}
				}
			case *ast.KeyValueExpr:
				if k, ok := n.Key.(*ast.Ident); ok && k.Name == "MsgID" {
					if s, ok := stringLit(n.Value); ok {
						add(n, s)
					}
				}
			case *ast.CompositeLit:
				if _, ok := n.Type.(*ast.MapType); ok {
					for _, e := range n.Elts {
						kv, ok := e.(*ast.KeyValueExpr)
						if !ok {
							continue
						}
						if s, ok := stringLit(kv.Value); ok && keyPattern.MatchString(s) && !looksLikeFile(s) {
							if ns, _, _ := strings.Cut(s, "."); namespaces[ns] {
								add(kv, s)
							}
						}
					}
				}
			case *ast.BinaryExpr:
				if n.Op == token.ADD {
					if s, ok := stringLit(n.X); ok && strings.HasSuffix(s, ".") && keyPattern.MatchString(s+"x") {
						if ns, _, _ := strings.Cut(s, "."); namespaces[ns] {
							computed[s] = append(computed[s], fset.Position(n.Pos()).String())
						}
					}
				}
			}
			return true
		})
	}
	return refs, computed
}

func looksLikeFile(s string) bool {
	switch filepath.Ext(s) {
	case ".html", ".css", ".js", ".json", ".toml", ".go", ".txt", ".svg", ".png":
		return true
	}
	return false
}

// stringConsts returns the string constants of a package directory: those
// of the named type, or those whose name starts with namePrefix. A package
// that does not exist yet has none.
func stringConsts(t *testing.T, dir, typeName, namePrefix string) []string {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(filepath.Join(repoRoot, dir))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(repoRoot, dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, s := range gd.Specs {
				vs := s.(*ast.ValueSpec)
				typed := false
				if id, ok := vs.Type.(*ast.Ident); ok && typeName != "" && id.Name == typeName {
					typed = true
				}
				for i, n := range vs.Names {
					if i >= len(vs.Values) {
						continue
					}
					v, ok := stringLit(vs.Values[i])
					if !ok {
						continue
					}
					if typed || (namePrefix != "" && strings.HasPrefix(n.Name, namePrefix)) {
						out = append(out, v)
					}
				}
			}
		}
	}
	return out
}

// errorStatuses returns the statuses whose heading the error handler can
// ask for: those it answers with today, and every fiber.Status… named in
// the file that builds "error.heading." + status.
func errorStatuses(t *testing.T) []string {
	t.Helper()
	byName := map[string]int{}
	for code := 100; code < 600; code++ {
		if text := http.StatusText(code); text != "" {
			byName[camel(text)] = code
		}
	}
	fset, files := goFiles(t)
	statuses := map[int]bool{}
	for _, s := range handlerStatuses {
		statuses[s] = true
	}
	for path, f := range files {
		uses := false
		ast.Inspect(f, func(n ast.Node) bool {
			if b, ok := n.(*ast.BinaryExpr); ok && b.Op == token.ADD {
				if s, ok := stringLit(b.X); ok && s == "error.heading." {
					uses = true
				}
			}
			return true
		})
		if !uses {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok || !strings.HasPrefix(sel.Sel.Name, "Status") {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); !ok || (x.Name != "fiber" && x.Name != "http") {
				return true
			}
			code, ok := byName[strings.TrimPrefix(sel.Sel.Name, "Status")]
			if !ok {
				t.Errorf("%s: cannot tell the number of %s; extend errorStatuses", fset.Position(sel.Pos()), sel.Sel.Name)
				return true
			}
			if code >= 400 {
				statuses[code] = true
			}
			return true
		})
		_ = path
	}
	var out []string
	for s := range statuses {
		out = append(out, strconv.Itoa(s))
	}
	slices.Sort(out)
	return out
}

// camel turns "Request Entity Too Large" into "RequestEntityTooLarge", the
// name net/http and fiber give the constant.
func camel(s string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

// placeholderNames returns the names a Dutch message needs ("Max" for
// {{.Max}}), over all its plural forms, sorted.
func placeholderNames(c *Catalog, key string) ([]string, bool) {
	m, ok := c.messages[Source][key]
	if !ok {
		return nil, false
	}
	set := map[string]bool{}
	for _, text := range forms(m) {
		for _, p := range localefile.Placeholders(text) {
			set[strings.TrimPrefix(p, ".")] = true
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	slices.Sort(out)
	return out, true
}

// Go code passes a message exactly the placeholders it needs:
// apperr.New and apperr.Invalid carry no data, so their messages may have
// no placeholders; an apperr.Error literal's Data and a T call's names
// must match the message. A missing one would show "<no value>".
func TestGoPassesPlaceholders(t *testing.T) {
	c := load(t)
	fset, files := goFiles(t)
	for _, f := range files {
		for _, p := range goPlaceholderProblems(c, fset, f) {
			t.Error(p)
		}
	}
}

func TestGoPlaceholderCheck(t *testing.T) {
	c := load(t)
	cases := []struct {
		src  string
		want int
	}{
		{`apperr.Invalid("dots", "answer.option_invalid")`, 0},
		{`apperr.Invalid("dots", "answer.dots_invalid")`, 1}, // needs {{.Max}}
		{`&apperr.Error{MsgID: "answer.dots_invalid", Data: map[string]any{"Max": 3}}`, 0},
		{`&apperr.Error{MsgID: "answer.dots_invalid", Data: map[string]any{"Mx": 3}}`, 1},
		{`&apperr.Error{MsgID: "answer.dots_invalid"}`, 1},
		{`&apperr.Error{MsgID: "answer.dots_invalid", Data: d}`, 0}, // cannot tell
		{`l.T("home.greeting", "Name", n)`, 0},
		{`l.T("home.greeting")`, 1},
		{`l.N("org.neighbourhood_count", 3)`, 0},
		{`l.T("home.greeting", args...)`, 0}, // cannot tell
	}
	for _, tc := range cases {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "x.go", "package p\nvar _ = "+tc.src+"\n", 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := goPlaceholderProblems(c, fset, f); len(got) != tc.want {
			t.Errorf("%s: %d problems %v, want %d", tc.src, len(got), got, tc.want)
		}
	}
}

func goPlaceholderProblems(c *Catalog, fset *token.FileSet, f *ast.File) []string {
	var problems []string
	check := func(n ast.Node, key string, passed []string, how string) {
		need, ok := placeholderNames(c, key)
		if !ok {
			return // TestEveryReferencedKeyExists reports it
		}
		slices.Sort(passed)
		if !slices.Equal(need, passed) {
			problems = append(problems, fmt.Sprintf("%s: %s gives %q the placeholders %v, but the message uses %v",
				fset.Position(n.Pos()), how, key, passed, need))
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == "apperr" && (sel.Sel.Name == "New" || sel.Sel.Name == "Invalid") && len(n.Args) == 2 {
					if key, ok := stringLit(n.Args[1]); ok {
						check(n, key, nil, "apperr."+sel.Sel.Name+" (which carries no data)")
					}
				}
			}
			if call, ok := isTranslateCall(n); ok && !call.Ellipsis.IsValid() {
				key, ok := stringLit(call.Args[0])
				if !ok {
					return true
				}
				args := call.Args[1:]
				var passed []string
				if call.Fun.(*ast.SelectorExpr).Sel.Name == "N" {
					if len(args) == 0 {
						return true
					}
					args, passed = args[1:], []string{"Count"}
				}
				for i := 0; i < len(args); i += 2 {
					name, ok := stringLit(args[i])
					if !ok {
						return true // names not literal: cannot tell
					}
					passed = append(passed, name)
				}
				check(n, key, passed, "this call")
			}
		case *ast.CompositeLit:
			sel, ok := n.Type.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "Error" {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "apperr" {
				return true
			}
			var key string
			var data ast.Expr
			for _, e := range n.Elts {
				kv, ok := e.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				switch k, _ := kv.Key.(*ast.Ident); {
				case k == nil:
				case k.Name == "MsgID":
					key, _ = stringLit(kv.Value)
				case k.Name == "Data":
					data = kv.Value
				}
			}
			if key == "" {
				return true
			}
			var passed []string
			if data != nil {
				lit, ok := data.(*ast.CompositeLit)
				if !ok {
					return true // data built elsewhere: cannot tell
				}
				for _, e := range lit.Elts {
					kv, ok := e.(*ast.KeyValueExpr)
					if !ok {
						return true
					}
					name, ok := stringLit(kv.Key)
					if !ok {
						return true
					}
					passed = append(passed, name)
				}
			}
			check(n, key, passed, "this apperr.Error")
		}
		return true
	})
	return problems
}
