package archive

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	docstorage "github.com/phonghop/phonghop/docs-storage"
)

// MaxFileSize bounds the size of one archive file read by Verify, so that a
// hostile archive (or zip bomb) cannot exhaust memory.
const MaxFileSize = 1 << 30

// Source is an archive to verify: a set of named files.
type Source interface {
	// Names lists the files, sorted. Names are relative ("minutes.json").
	Names(ctx context.Context) ([]string, error)
	// Open returns the content of the named file. Verify streams it and
	// reads at most MaxFileSize bytes (more is a problem of the archive).
	Open(ctx context.Context, name string) (io.ReadCloser, error)
	// ReadFile returns the bytes of the named file (at most MaxFileSize;
	// see ReadAll).
	ReadFile(ctx context.Context, name string) ([]byte, error)
	// String describes the source for messages.
	String() string
}

// DirSource returns the archive held in a folder. Sub-folders count as
// extra files.
func DirSource(dir string) Source { return dirSource(dir) }

type dirSource string

func (d dirSource) String() string { return string(d) }

func (d dirSource) Names(ctx context.Context) ([]string, error) {
	var names []string
	err := filepath.WalkDir(string(d), func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == string(d) {
			return nil
		}
		rel, _ := filepath.Rel(string(d), p)
		if e.IsDir() {
			names = append(names, filepath.ToSlash(rel)+"/")
			return fs.SkipDir
		}
		names = append(names, filepath.ToSlash(rel))
		return nil
	})
	sort.Strings(names)
	return names, err
}

func (d dirSource) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	return os.Open(filepath.Join(string(d), filepath.FromSlash(name)))
}

func (d dirSource) ReadFile(ctx context.Context, name string) ([]byte, error) {
	return ReadAll(ctx, d, name)
}

// ReadAll reads the named file of src whole through Open, failing beyond
// MaxFileSize bytes: the ReadFile of every Source of this package.
func ReadAll(ctx context.Context, src Source, name string) ([]byte, error) {
	rc, err := src.Open(ctx, name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return readLimited(rc)
}

// readLimited reads r whole, failing beyond MaxFileSize bytes.
func readLimited(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("larger than %d bytes", MaxFileSize)
	}
	return b, nil
}

// ZipSource opens the archive held in a zip file. A damaged zip (for
// example a truncated download) fails here.
func ZipSource(path string) (Source, io.Closer, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, nil, fmt.Errorf("zip %s: %w", path, err)
	}
	return &zipSource{path: path, r: &zr.Reader}, zr, nil
}

// ZipReaderSource reads the archive from a zip held in r.
func ZipReaderSource(r io.ReaderAt, size int64, desc string) (Source, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("zip %s: %w", desc, err)
	}
	return &zipSource{path: desc, r: zr}, nil
}

type zipSource struct {
	path string
	r    *zip.Reader
}

func (z *zipSource) String() string { return z.path }

func (z *zipSource) Names(ctx context.Context) ([]string, error) {
	var names []string
	for _, f := range z.r.File {
		names = append(names, f.Name)
	}
	sort.Strings(names)
	return names, nil
}

func (z *zipSource) ReadFile(ctx context.Context, name string) ([]byte, error) {
	return ReadAll(ctx, z, name)
}

func (z *zipSource) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	var found *zip.File
	for _, f := range z.r.File {
		if f.Name == name {
			if found != nil {
				return nil, errors.New("present twice in the zip")
			}
			found = f
		}
	}
	if found == nil {
		return nil, fs.ErrNotExist
	}
	if found.UncompressedSize64 > MaxFileSize {
		return nil, fmt.Errorf("larger than %d bytes", MaxFileSize)
	}
	return found.Open() // the zip reader checks the CRC at EOF
}

// ObjectReader is the part of a docstorage.Store that reading an archive
// needs.
type ObjectReader interface {
	List(ctx context.Context, prefix string) ([]docstorage.Info, error)
	Open(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error)
}

// StoreSource returns the archive stored under prefix ("archives/m1/1/")
// in an object store.
func StoreSource(s ObjectReader, prefix, desc string) Source {
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return &storeSource{s: s, prefix: prefix, desc: desc}
}

type storeSource struct {
	s      ObjectReader
	prefix string
	desc   string
}

func (s *storeSource) String() string { return s.desc }

func (s *storeSource) Names(ctx context.Context) ([]string, error) {
	infos, err := s.s.List(ctx, s.prefix)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, in := range infos {
		names = append(names, strings.TrimPrefix(in.Key, s.prefix))
	}
	sort.Strings(names)
	return names, nil
}

func (s *storeSource) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	return s.s.Open(ctx, s.prefix+name, 0, -1)
}

func (s *storeSource) ReadFile(ctx context.Context, name string) ([]byte, error) {
	return ReadAll(ctx, s, name)
}
