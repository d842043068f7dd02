package minutes

import (
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps the package pure: the standard library (no I/O
// packages), the domain and the PDF writer only.
func TestImports(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"github.com/phonghop/phonghop/server/meeting": true, "github.com/go-pdf/fpdf": true}
	banned := []string{"os", "io/fs", "net", "net/http", "os/exec", "path/filepath", "syscall", "database/sql", "math/rand", "math/rand/v2"}
	n := 0
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		n++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.Contains(strings.SplitN(path, "/", 2)[0], ".") && !allowed[path] {
				t.Errorf("%s imports %s; the minutes may import only the domain and the PDF writer", name, path)
			}
			for _, b := range banned {
				if path == b {
					t.Errorf("%s imports %s: the minutes do no I/O and read no clock or randomness", name, path)
				}
			}
		}
	}
	if n < 4 {
		t.Errorf("checked %d files; want the package's sources", n)
	}
}
