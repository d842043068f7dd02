// Package docfile recognises the files a meeting may hold — PDF, DOCX, XLSX,
// PPTX, JPEG and PNG — by their content, never by their name, and refuses
// everything else: executables renamed to ".pdf", plain zip files,
// macro-enabled Office files, and zip bombs posing as Office documents.
//
// Office Open XML files are zip archives. Detect checks them from the zip's
// central directory without extracting anything but the small
// "[Content_Types].xml" part (read through a hard limit): the number of
// entries, the declared sizes and compression ratios, the compression
// methods, encryption, entry names, and that "[Content_Types].xml" names
// the main part of the right kind, which must be in the archive. Every read
// is bounded; nothing is read whole into memory.
package docfile

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/phonghop/phonghop/server/meeting"
)

// The media types Detect returns (the keys of meeting.DocumentTypes).
const (
	PDF  = "application/pdf"
	DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
	JPEG = "image/jpeg"
	PNG  = "image/png"
)

// Limits on Office files (zip archives).
const (
	// MaxEntries is the most entries an Office file may have. Real
	// documents have tens to a few thousand parts.
	MaxEntries = 10000
	// MaxDirectory is the largest central directory read, in bytes.
	MaxDirectory = 8 << 20
	// MaxUncompressed is the most the entries may declare in total.
	MaxUncompressed = 2 << 30
	// MaxRatio is the largest compression ratio accepted, for an entry
	// (above RatioFloor bytes) and for the whole archive. XML compresses
	// 5 to 20 times, rarely 50; zip bombs compress hundreds to millions.
	MaxRatio = 100
	// RatioFloor is the uncompressed size under which an entry's ratio is
	// not checked (a short run of repeated bytes compresses very well).
	RatioFloor = 1 << 20
	// MaxContentTypes is the largest "[Content_Types].xml" read.
	MaxContentTypes = 1 << 20
)

// mainParts maps the content type of an Office main part to the media type
// of the file.
var mainParts = map[string]string{
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml":     DOCX,
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml":           XLSX,
	"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml":   PPTX,
	"application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml":      "",
	"application/vnd.ms-word.document.macroEnabled.main+xml":                               "macro",
	"application/vnd.ms-word.template.macroEnabledTemplate.main+xml":                       "macro",
	"application/vnd.ms-excel.sheet.macroEnabled.main+xml":                                 "macro",
	"application/vnd.ms-excel.template.macroEnabled.main+xml":                              "macro",
	"application/vnd.ms-excel.addin.macroEnabled.main+xml":                                 "macro",
	"application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml":                     "macro",
	"application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml":                        "macro",
	"application/vnd.ms-powerpoint.template.macroEnabled.main+xml":                         "macro",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml":     "",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml":        "",
	"application/vnd.openxmlformats-officedocument.presentationml.template.main+xml":       "",
	"application/vnd.ms-excel.sheet.binary.macroEnabled.main":                              "macro",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.binary.main+xml":    "",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document.glossary+xml": "",
}

// Errors. Each is a *meeting.Error of kind invalid with a Vietnamese and an
// English message; compare with errors.Is.
var (
	// ErrType: not one of the allowed types.
	ErrType = invalid("Loại tệp không được phép: chỉ nhận PDF, DOCX, XLSX, PPTX, JPEG và PNG (nhận diện theo nội dung tệp, không theo tên).",
		"file type not allowed: only PDF, DOCX, XLSX, PPTX, JPEG and PNG are accepted (recognised by content, not by name)")
	// ErrEmpty: no content.
	ErrEmpty = invalid("Tệp rỗng.", "the file is empty")
	// ErrMacro: a macro-enabled Office file (docm, xlsm, pptm, …).
	ErrMacro = invalid("Tệp Office có macro (docm, xlsm, pptm…) không được phép; hãy lưu lại dưới dạng DOCX, XLSX hoặc PPTX.",
		"macro-enabled Office files (docm, xlsm, pptm…) are not allowed; save as DOCX, XLSX or PPTX")
	// ErrBomb: an archive whose sizes or ratios are those of a zip bomb.
	ErrBomb = invalid("Tệp Office có kích thước giải nén hoặc tỉ lệ nén bất thường (nghi là “bom zip”); không nhận.",
		"the Office file declares an abnormal uncompressed size or compression ratio (a zip bomb?); refused")
	// ErrCorrupt: an archive that does not read as a valid Office file.
	ErrCorrupt = invalid("Tệp Office bị hỏng hoặc không hợp lệ.", "the Office file is damaged or not valid")
)

func invalid(vi, en string) *meeting.Error {
	return &meeting.Error{Kind: meeting.KindInvalid, Message: vi, MessageEN: en,
		Problems: []meeting.Problem{{Field: "file", Message: vi, MessageEN: en}}}
}

// Detect returns the media type of the size bytes readable from r, one of
// PDF, DOCX, XLSX, PPTX, JPEG and PNG, or one of the errors above.
func Detect(r io.ReaderAt, size int64) (string, error) {
	if size <= 0 {
		return "", ErrEmpty
	}
	var head [16]byte
	n, err := r.ReadAt(head[:], 0)
	if err != nil && err != io.EOF {
		return "", err
	}
	h := head[:n]
	switch {
	case bytes.HasPrefix(h, []byte("%PDF-1.")) || bytes.HasPrefix(h, []byte("%PDF-2.")):
		return PDF, nil
	case bytes.HasPrefix(h, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR")):
		return PNG, nil
	case bytes.HasPrefix(h, []byte{0xFF, 0xD8, 0xFF}):
		return JPEG, nil
	case bytes.HasPrefix(h, []byte("PK\x03\x04")):
		return office(r, size)
	}
	return "", ErrType
}

// office checks a zip archive as an Office Open XML document.
func office(r io.ReaderAt, size int64) (string, error) {
	entries, dirSize, err := directoryInfo(r, size)
	if err != nil {
		return "", err
	}
	if entries > MaxEntries || dirSize > MaxDirectory {
		return "", ErrBomb
	}
	// archive/zip reads the directory only (entries are opened lazily);
	// it also refuses insecure names (zip.ErrInsecurePath).
	zr, err := zip.NewReader(r, size)
	if err != nil || len(zr.File) == 0 {
		return "", ErrCorrupt
	}
	// The entries archive/zip found are the ones that count, whatever
	// the end record said.
	if len(zr.File) > MaxEntries {
		return "", ErrBomb
	}
	var total, compressed uint64
	names := make(map[string]*zip.File, len(zr.File))
	var types *zip.File
	for _, f := range zr.File {
		switch {
		case f.Flags&0x1 != 0: // encrypted
			return "", ErrCorrupt
		case f.Method != zip.Store && f.Method != zip.Deflate:
			return "", ErrCorrupt
		case f.Method == zip.Store && f.CompressedSize64 != f.UncompressedSize64:
			return "", ErrCorrupt
		case !validName(f.Name):
			return "", ErrCorrupt
		case f.CompressedSize64 > uint64(size):
			return "", ErrCorrupt
		}
		if f.UncompressedSize64 > RatioFloor && f.UncompressedSize64 > MaxRatio*max(f.CompressedSize64, 1) {
			return "", ErrBomb
		}
		total += f.UncompressedSize64
		compressed += f.CompressedSize64
		if total > MaxUncompressed {
			return "", ErrBomb
		}
		lower := strings.ToLower(f.Name)
		if _, dup := names[lower]; dup {
			return "", ErrCorrupt // two parts of one name: ambiguous
		}
		names[lower] = f
		if path.Base(lower) == "vbaproject.bin" || strings.HasPrefix(path.Base(lower), "activex") {
			return "", ErrMacro
		}
		if f.Name == "[Content_Types].xml" {
			types = f
		}
	}
	// Entries sharing their compressed bytes (the overlapping-entry bomb)
	// declare more compressed data than the archive holds.
	if compressed > uint64(size) {
		return "", ErrBomb
	}
	if total > RatioFloor && total > MaxRatio*uint64(size) {
		return "", ErrBomb
	}
	if types == nil || types.UncompressedSize64 > MaxContentTypes {
		return "", ErrType
	}
	mp, err := mainPart(types)
	if err != nil {
		return "", err
	}
	if _, ok := names[strings.ToLower(strings.TrimPrefix(mp.part, "/"))]; !ok {
		return "", ErrCorrupt
	}
	return mp.mediaType, nil
}

// validName reports whether name is a plausible part name: relative, no
// "." or ".." segment, no backslash or NUL.
func validName(name string) bool {
	if name == "" || strings.HasPrefix(name, "/") || strings.ContainsAny(name, "\\\x00") {
		return false
	}
	for seg := range strings.SplitSeq(name, "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

type mainPartInfo struct{ part, mediaType string }

// mainPart reads "[Content_Types].xml" (at most MaxContentTypes bytes) and
// returns the one main part it names.
func mainPart(f *zip.File) (mainPartInfo, error) {
	rc, err := f.Open()
	if err != nil {
		return mainPartInfo{}, ErrCorrupt
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, MaxContentTypes+1))
	if err != nil || len(b) > MaxContentTypes {
		return mainPartInfo{}, ErrCorrupt
	}
	var ct struct {
		Overrides []struct {
			PartName    string `xml:"PartName,attr"`
			ContentType string `xml:"ContentType,attr"`
		} `xml:"Override"`
	}
	if err := xml.Unmarshal(b, &ct); err != nil {
		return mainPartInfo{}, ErrCorrupt
	}
	var found []mainPartInfo
	for _, o := range ct.Overrides {
		mt, ok := mainParts[strings.TrimSpace(o.ContentType)]
		if !ok {
			continue
		}
		switch mt {
		case "macro":
			return mainPartInfo{}, ErrMacro
		case "":
			// glossaries accompany a main part; templates and
			// slideshows are not allowed types
			if strings.HasSuffix(o.ContentType, "glossary+xml") {
				continue
			}
			return mainPartInfo{}, ErrType
		}
		found = append(found, mainPartInfo{part: o.PartName, mediaType: mt})
	}
	if len(found) != 1 {
		return mainPartInfo{}, ErrType
	}
	return found[0], nil
}

// directoryInfo reads the end of central directory record (and its zip64
// form when needed) and returns the number of entries and the size of the
// central directory, so that absurd archives are refused before
// archive/zip reads their directory into memory.
func directoryInfo(r io.ReaderAt, size int64) (entries, dirSize uint64, err error) {
	const eocdLen, maxComment = 22, 65535
	n := min(size, eocdLen+maxComment)
	buf := make([]byte, n)
	if _, err := r.ReadAt(buf, size-n); err != nil && err != io.EOF {
		return 0, 0, err
	}
	i := bytes.LastIndex(buf, []byte("PK\x05\x06"))
	if i < 0 || len(buf)-i < eocdLen {
		return 0, 0, ErrCorrupt
	}
	e := buf[i:]
	entries = uint64(binary.LittleEndian.Uint16(e[10:]))
	dirSize = uint64(binary.LittleEndian.Uint32(e[12:]))
	offset := binary.LittleEndian.Uint32(e[16:])
	// archive/zip reads the zip64 record when any of these fields is
	// saturated (its test of the size is against 0xFFFF): so must this,
	// or a small 16-bit count would hide the zip64 count it uses.
	if entries != 0xFFFF && dirSize != 0xFFFF && dirSize != 0xFFFFFFFF && offset != 0xFFFFFFFF {
		return entries, dirSize, nil
	}
	// zip64: the locator is the 20 bytes before the record. Without one
	// (a directory of exactly 0xFFFF bytes, say) archive/zip keeps the
	// values above, and so does this.
	loc := int64(i) + (size - n) - 20
	var l [20]byte
	if loc < 0 {
		return entries, dirSize, nil
	}
	if _, err := r.ReadAt(l[:], loc); err != nil || string(l[:4]) != "PK\x06\x07" ||
		binary.LittleEndian.Uint32(l[4:]) != 0 || binary.LittleEndian.Uint32(l[16:]) != 1 {
		return entries, dirSize, nil
	}
	off := int64(binary.LittleEndian.Uint64(l[8:]))
	var rec [56]byte
	if off < 0 || off > size-56 {
		return 0, 0, ErrCorrupt
	}
	if _, err := r.ReadAt(rec[:], off); err != nil || string(rec[:4]) != "PK\x06\x06" {
		return 0, 0, ErrCorrupt
	}
	return binary.LittleEndian.Uint64(rec[32:]), binary.LittleEndian.Uint64(rec[40:]), nil
}

// Ext returns the usual extension of media type mt (".pdf", …), or "".
func Ext(mt string) string { return meeting.DocumentTypes[mt] }

// FileName returns name with the extension of media type mt: name itself if
// it already ends with it (case-insensitively; ".jpeg" for JPEG too),
// otherwise name with that extension appended, so that a file saved by a
// tablet opens with the right program whatever it was called.
func FileName(name, mt string) string {
	ext := Ext(mt)
	if ext == "" {
		return name
	}
	lower := strings.ToLower(name)
	if strings.HasSuffix(lower, ext) || (mt == JPEG && strings.HasSuffix(lower, ".jpeg")) {
		return name
	}
	return name + ext
}

// Describe names media type mt for people ("PDF", "DOCX", …).
func Describe(mt string) string {
	if ext := Ext(mt); ext != "" {
		return strings.ToUpper(strings.TrimPrefix(ext, "."))
	}
	return fmt.Sprintf("%q", mt)
}
