package meeting

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// sourceFiles returns the non-test Go files of this package.
func sourceFiles(t *testing.T) []string {
	t.Helper()
	all, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, f := range all {
		if !strings.HasSuffix(f, "_test.go") {
			files = append(files, f)
		}
	}
	if len(files) < 6 {
		t.Fatalf("found %d source files (%v); want at least the 6 of the package", len(files), files)
	}
	return files
}

// TestFenceStandardLibraryOnly keeps the domain core pure: it may import the
// standard library only (no dot in the first element of an import path).
func TestFenceStandardLibraryOnly(t *testing.T) {
	fset := token.NewFileSet()
	imports := 0
	for _, name := range sourceFiles(t) {
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		if f.Name.Name != "meeting" {
			t.Errorf("%s: package %s; want meeting", name, f.Name.Name)
		}
		for _, imp := range f.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				t.Fatalf("%s: import %s: %v", name, imp.Path.Value, err)
			}
			imports++
			if first, _, _ := strings.Cut(path, "/"); strings.Contains(first, ".") {
				t.Errorf("%s imports %q: the domain core may import only the standard library", fset.Position(imp.Pos()), path)
			}
			if imp.Name != nil && imp.Name.Name == "." {
				t.Errorf("%s: dot import of %q", fset.Position(imp.Pos()), path)
			}
		}
	}
	if imports == 0 {
		t.Fatal("no imports found: the fence checks nothing")
	}
}

// TestFenceNoIO checks the rest of the package's promise: no I/O, no clock,
// no goroutines, no randomness.
func TestFenceNoIO(t *testing.T) {
	forbidden := map[string]bool{
		"os": true, "os/exec": true, "io/ioutil": true, "net": true, "net/http": true, "syscall": true,
		"unsafe": true, "log": true, "log/slog": true, "math/rand": true, "math/rand/v2": true, "crypto/rand": true,
		"database/sql": true, "reflect": true, "sync": true,
	}
	clock := map[string]bool{"Now": true, "Since": true, "Until": true, "Sleep": true, "After": true, "Tick": true, "NewTimer": true, "NewTicker": true, "AfterFunc": true}
	fset := token.NewFileSet()
	for _, name := range sourceFiles(t) {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		for _, imp := range f.Imports {
			if path, _ := strconv.Unquote(imp.Path.Value); forbidden[path] {
				t.Errorf("%s imports %q; the domain core does no I/O and keeps no shared state", fset.Position(imp.Pos()), path)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GoStmt:
				t.Errorf("%s: go statement; the domain core starts no goroutine", fset.Position(n.Pos()))
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok && x.Name == "time" && clock[n.Sel.Name] {
					t.Errorf("%s: time.%s; the domain core never reads the clock (the caller passes now)", fset.Position(n.Pos()), n.Sel.Name)
				}
			}
			return true
		})
	}
}
