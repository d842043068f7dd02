package docstorage

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// FS is a Store backed by a local directory. It is the embedded default.
//
// Layout under the root directory:
//
//	objects/<key dirs>/<last segment>@obj   one file per object
//	tmp/                                   uploads in progress
//
// The "@obj" suffix uses a character that keys cannot contain, so the keys
// "a" and "a/b" can coexist (file "a@obj" beside directory "a"), as on S3
// (though not in MinIO listings; see the package documentation). Each object file starts with a two-line header — a magic
// line and a JSON line holding the Meta and size — followed by the content,
// so data and metadata are committed together by one atomic rename.
//
// Put streams into a temporary file under tmp/, fsyncs it, renames it into
// place and fsyncs the directory. Empty directories left by Delete are not
// removed (with content-hash keys they are bounded and soon reused); this
// keeps Delete from racing with a concurrent Put into the same directory.
// The root must be on a case-sensitive file system.
type FS struct {
	root string // absolute
}

var _ Store = (*FS)(nil)

const (
	fsMagic      = "phonghop-docstorage-object v1\n"
	fsObjSuffix  = "@obj"
	fsObjects    = "objects"
	fsTmp        = "tmp"
	fsMaxHeader  = 64 << 10
	fsStaleTemps = time.Hour
)

var (
	// errNotDir: a path component is a file (treated as "not found").
	errNotDir error = syscall.ENOTDIR
	// errSyncUnsupported: some file systems cannot fsync a directory.
	errSyncUnsupported error = syscall.EINVAL
)

// fsHeader is the JSON line of an object file.
type fsHeader struct {
	Meta
	Size int64 `json:"size"`
}

// NewFS opens (creating if needed) a directory-backed store rooted at dir.
// Temporary files older than an hour, left by crashed uploads, are removed.
func NewFS(dir string) (*FS, error) {
	if dir == "" {
		return nil, newError(Invalid, nil, "empty directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, newError(Invalid, err, "directory %q", dir)
	}
	for _, sub := range []string{fsObjects, fsTmp} {
		if err := os.MkdirAll(filepath.Join(abs, sub), 0o750); err != nil {
			return nil, newError(Internal, err, "create store directory")
		}
	}
	f := &FS{root: abs}
	f.removeStaleTemps()
	return f, nil
}

// Dir returns the store's root directory.
func (f *FS) Dir() string { return f.root }

func (f *FS) removeStaleTemps() {
	tmp := filepath.Join(f.root, fsTmp)
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > fsStaleTemps {
			_ = os.Remove(filepath.Join(tmp, e.Name()))
		}
	}
}

// objPath maps a valid key to its object file.
func (f *FS) objPath(key string) string {
	return filepath.Join(f.root, fsObjects, filepath.FromSlash(key)+fsObjSuffix)
}

// Put implements Store.
func (f *FS) Put(ctx context.Context, key string, r io.Reader, size int64, meta Meta) error {
	return f.write(ctx, key, r, size, meta, false)
}

// Create implements Store: the object file is linked into place, which
// fails if it exists, so of concurrent Creates exactly one wins.
func (f *FS) Create(ctx context.Context, key string, r io.Reader, size int64, meta Meta) error {
	return f.write(ctx, key, r, size, meta, true)
}

// write stores an object through a synced temporary file, then renames it
// into place (Put) or links it, refusing an existing object (Create).
func (f *FS) write(ctx context.Context, key string, r io.Reader, size int64, meta Meta, create bool) error {
	if err := checkPut(key, r, size); err != nil {
		return err
	}
	meta, err := checkMeta(meta)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return newError(Internal, err, "put %q", key)
	}
	hdr, err := json.Marshal(fsHeader{Meta: meta, Size: size})
	if err != nil {
		return newError(Internal, err, "encode metadata")
	}

	tmp, err := os.CreateTemp(filepath.Join(f.root, fsTmp), "put-*")
	if err != nil {
		return newError(Internal, err, "create temporary file")
	}
	defer func() {
		if tmp != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()

	w := bufio.NewWriterSize(tmp, 256<<10)
	w.WriteString(fsMagic)
	w.Write(hdr)
	w.WriteByte('\n')
	if _, err := io.Copy(w, newExactReader(ctx, r, size)); err != nil {
		if KindOf(err) == Invalid {
			return err
		}
		return newError(Internal, err, "put %q", key)
	}
	if err := w.Flush(); err != nil {
		return newError(Internal, err, "write %q", key)
	}
	if err := tmp.Sync(); err != nil {
		return newError(Internal, err, "sync %q", key)
	}
	if err := tmp.Close(); err != nil {
		return newError(Internal, err, "close %q", key)
	}

	dst := f.objPath(key)
	dir := filepath.Dir(dst)
	if err := mkdirAllSync(filepath.Join(f.root, fsObjects), dir); err != nil {
		return newError(Internal, err, "create directory for %q", key)
	}
	if create {
		if err := os.Link(tmp.Name(), dst); err != nil {
			if errors.Is(err, iofs.ErrExist) {
				return newError(Conflict, err, "object %q already exists", key)
			}
			return newError(Internal, err, "commit %q", key)
		}
		// The deferred cleanup removes the temporary name; the object
		// keeps the file.
	} else {
		if err := os.Rename(tmp.Name(), dst); err != nil {
			return newError(Internal, err, "commit %q", key)
		}
		tmp = nil // committed: nothing to clean up
	}
	if err := syncDir(dir); err != nil {
		return newError(Internal, err, "sync directory of %q", key)
	}
	return nil
}

// Open implements Store.
func (f *FS) Open(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if err := ValidKey(key); err != nil {
		return nil, err
	}
	if err := checkRange(offset, length); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, newError(Internal, err, "open %q", key)
	}
	file, info, hdrLen, err := f.openObject(key)
	if err != nil {
		return nil, err
	}
	n, err := clampRange(offset, length, info.Size)
	if err != nil {
		file.Close()
		return nil, err
	}
	return &ctxReader{ctx: ctx, r: io.NewSectionReader(file, hdrLen+offset, n), c: file}, nil
}

// Stat implements Store.
func (f *FS) Stat(ctx context.Context, key string) (Info, error) {
	if err := ValidKey(key); err != nil {
		return Info{}, err
	}
	if err := ctx.Err(); err != nil {
		return Info{}, newError(Internal, err, "stat %q", key)
	}
	file, info, _, err := f.openObject(key)
	if err != nil {
		return Info{}, err
	}
	file.Close()
	return info, nil
}

// openObject opens the object file of key and parses its header.
func (f *FS) openObject(key string) (*os.File, Info, int64, error) {
	file, err := os.Open(f.objPath(key))
	if err != nil {
		if errors.Is(err, iofs.ErrNotExist) || errors.Is(err, errNotDir) {
			return nil, Info{}, 0, newError(NotFound, nil, "key %q", key)
		}
		return nil, Info{}, 0, newError(Internal, err, "open %q", key)
	}
	info, hdrLen, err := readHeader(file, key)
	if err != nil {
		file.Close()
		return nil, Info{}, 0, err
	}
	return file, info, hdrLen, nil
}

func readHeader(file *os.File, key string) (Info, int64, error) {
	st, err := file.Stat()
	if err != nil {
		return Info{}, 0, newError(Internal, err, "stat %q", key)
	}
	br := bufio.NewReader(io.LimitReader(file, fsMaxHeader))
	magic, err := br.ReadString('\n')
	if err != nil || magic != fsMagic {
		return Info{}, 0, newError(Internal, err, "object file of %q: bad magic", key)
	}
	line, err := br.ReadBytes('\n')
	if err != nil {
		return Info{}, 0, newError(Internal, err, "object file of %q: truncated header", key)
	}
	var h fsHeader
	if err := json.Unmarshal(bytes.TrimSuffix(line, []byte("\n")), &h); err != nil {
		return Info{}, 0, newError(Internal, err, "object file of %q: bad header", key)
	}
	hdrLen := int64(len(magic) + len(line))
	if st.Size()-hdrLen != h.Size {
		return Info{}, 0, newError(Internal, nil, "object file of %q: size %d, header says %d", key, st.Size()-hdrLen, h.Size)
	}
	return Info{Key: key, Size: h.Size, Meta: h.Meta, Modified: st.ModTime()}, hdrLen, nil
}

// Delete implements Store.
func (f *FS) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return newError(Internal, err, "delete %q", key)
	}
	p := f.objPath(key)
	if err := os.Remove(p); err != nil {
		if errors.Is(err, iofs.ErrNotExist) || errors.Is(err, errNotDir) {
			return nil
		}
		return newError(Internal, err, "delete %q", key)
	}
	if err := syncDir(filepath.Dir(p)); err != nil {
		return newError(Internal, err, "sync directory of %q", key)
	}
	return nil
}

// List implements Store.
func (f *FS) List(ctx context.Context, prefix string) ([]Info, error) {
	if err := validPrefix(prefix); err != nil {
		return nil, err
	}
	objects := filepath.Join(f.root, fsObjects)
	// Only the complete segments of the prefix name a directory to walk.
	base := ""
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		base = prefix[:i]
	}
	start := filepath.Join(objects, filepath.FromSlash(base))
	out := []Info{}
	err := filepath.WalkDir(start, func(p string, d iofs.DirEntry, err error) error {
		if err != nil {
			if p == start && errors.Is(err, iofs.ErrNotExist) {
				return filepath.SkipAll
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(objects, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if p == start {
				return nil
			}
			// Descend only where keys could still start with prefix.
			if dir := rel + "/"; !strings.HasPrefix(dir, prefix) && !strings.HasPrefix(prefix, dir) {
				return filepath.SkipDir
			}
			return nil
		}
		key, ok := strings.CutSuffix(rel, fsObjSuffix)
		if !ok || !d.Type().IsRegular() || !strings.HasPrefix(key, prefix) || ValidKey(key) != nil {
			return nil
		}
		file, info, _, err := f.openObject(key)
		if err != nil {
			if KindOf(err) == NotFound { // deleted meanwhile
				return nil
			}
			return err
		}
		file.Close()
		out = append(out, info)
		return nil
	})
	if err != nil {
		if errors.As(err, new(*Error)) {
			return nil, err
		}
		return nil, newError(Internal, err, "list %q", prefix)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// mkdirAllSync creates dir and any missing parents below root (which must
// exist), fsyncing each parent in which it created an entry.
func mkdirAllSync(root, dir string) error {
	if st, err := os.Stat(dir); err == nil {
		if !st.IsDir() {
			return fmt.Errorf("%s: not a directory", dir)
		}
		return nil
	}
	parent := filepath.Dir(dir)
	if parent != root && len(parent) > len(root) {
		if err := mkdirAllSync(root, parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o750); err != nil {
		if errors.Is(err, iofs.ErrExist) {
			return nil // created concurrently
		}
		return err
	}
	return syncDir(parent)
}

// syncDir fsyncs a directory so that entries created or removed in it are
// durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, errSyncUnsupported) {
		return err
	}
	return nil
}
