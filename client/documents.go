package client

import (
	"context"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"

	"github.com/phonghop/phonghop/server/meeting"
)

// NewDocument describes a document to upload.
type NewDocument struct {
	Title   string         // default: the file name
	Item    string         // agenda item ID; "" for the whole meeting
	Access  meeting.Access // default: delegates
	Readers []string       // participant IDs, for meeting.AccessNamed
	Publish bool           // publish at once (else a draft, for the staff only)
	Note    string         // about this version
}

// Uploaded is the server's answer to an upload.
type Uploaded struct {
	Document meeting.Document `json:"document"`
	Version  int              `json:"version"` // the number of the version uploaded
	Seq      int64            `json:"seq"`     // the last seq after the upload
}

// Upload uploads the file read from body, called name, as a new document of
// meeting meetingID. The body is streamed (chunked), never held in memory.
// The server checks the type by content and refuses anything but PDF,
// DOCX, XLSX, PPTX, JPEG and PNG, or a file over its size limit, with an
// invalid error.
func (c *Client) Upload(ctx context.Context, meetingID string, doc NewDocument, name string, body io.Reader) (Uploaded, error) {
	fields := [][2]string{{"title", doc.Title}, {"item", doc.Item}, {"access", string(doc.Access)}, {"note", doc.Note}}
	for _, r := range doc.Readers {
		fields = append(fields, [2]string{"readers", r})
	}
	if doc.Publish {
		fields = append(fields, [2]string{"publish", "true"})
	}
	return c.upload(ctx, c.url("api", "meetings", url.PathEscape(meetingID), "documents"), fields, name, body)
}

// UploadVersion uploads the file read from body, called name, as a new
// version of document docID. Tablets that may read the document learn of
// it at once (document.version_added); earlier versions stay downloadable.
func (c *Client) UploadVersion(ctx context.Context, meetingID, docID, name string, body io.Reader, note string) (Uploaded, error) {
	return c.upload(ctx, c.url("api", "meetings", url.PathEscape(meetingID), "documents", url.PathEscape(docID), "versions"),
		[][2]string{{"note", note}}, name, body)
}

// upload streams a multipart form through a pipe: the fields, then the file.
func (c *Client) upload(ctx context.Context, u string, fields [][2]string, name string, body io.Reader) (Uploaded, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	// The transport closes pr when the request ends (even early, when the
	// server refuses the upload), which ends this goroutine's writes.
	go func() {
		err := func() error {
			for _, f := range fields {
				if f[1] == "" {
					continue
				}
				if err := mw.WriteField(f[0], f[1]); err != nil {
					return err
				}
			}
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": "file", "filename": name}))
			h.Set("Content-Type", "application/octet-stream")
			w, err := mw.CreatePart(h)
			if err != nil {
				return err
			}
			if _, err := io.Copy(w, body); err != nil {
				return err
			}
			return mw.Close()
		}()
		pw.CloseWithError(err)
	}()
	var out Uploaded
	err := c.do(ctx, http.MethodPost, u, pr, mw.FormDataContentType(), &out)
	return out, err
}

// Documents lists the documents of meeting meetingID the session may see.
func (c *Client) Documents(ctx context.Context, meetingID string) ([]meeting.Document, error) {
	var r struct {
		Documents []meeting.Document `json:"documents"`
	}
	err := c.doJSON(ctx, http.MethodGet, c.url("api", "meetings", url.PathEscape(meetingID), "documents"), nil, &r)
	return r.Documents, err
}

// Document returns document docID with its versions.
func (c *Client) Document(ctx context.Context, meetingID, docID string) (meeting.Document, error) {
	var d meeting.Document
	err := c.doJSON(ctx, http.MethodGet, c.url("api", "meetings", url.PathEscape(meetingID), "documents", url.PathEscape(docID)), nil, &d)
	return d, err
}

// Download is an open download: read the bytes from it, then Close it.
type Download struct {
	io.ReadCloser
	Status       int    // 200, or 206 for a range
	Length       int64  // bytes in this answer (-1 if unknown)
	Total        int64  // the whole file's size (-1 if unknown)
	ContentType  string // the file's media type
	Name         string // the file name from Content-Disposition
	ETag         string // the content's SHA-256 (of the stamped copy for a confidential PDF), unquoted
	CacheControl string
}

// Download opens version (0: the latest) of document docID, from byte
// offset on, length bytes (length < 0: to the end). A confidential PDF comes
// stamped with the reader's name. Errors (refused, not found, a bad range)
// are *HTTPError.
func (c *Client) Download(ctx context.Context, meetingID, docID string, version int, offset, length int64) (*Download, error) {
	elems := []string{"api", "meetings", url.PathEscape(meetingID), "documents", url.PathEscape(docID)}
	if version > 0 {
		elems = append(elems, "versions", strconv.Itoa(version))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url(append(elems, "content")...), nil)
	if err != nil {
		return nil, err
	}
	switch {
	case offset < 0 || length == 0:
		return nil, fmt.Errorf("client: bad range offset %d length %d", offset, length)
	case length > 0:
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", offset, offset+length-1))
	case offset > 0:
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", offset))
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusPartialContent {
		defer resp.Body.Close()
		return nil, responseError(resp)
	}
	d := &Download{ReadCloser: resp.Body, Status: resp.StatusCode, Length: resp.ContentLength, Total: resp.ContentLength,
		ContentType: resp.Header.Get("Content-Type"), ETag: strings.Trim(resp.Header.Get("ETag"), `"`), CacheControl: resp.Header.Get("Cache-Control")}
	if _, p, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil {
		d.Name = p["filename"]
	}
	if cr := resp.Header.Get("Content-Range"); cr != "" {
		d.Total = -1
		if i := strings.LastIndexByte(cr, '/'); i >= 0 {
			if n, err := strconv.ParseInt(cr[i+1:], 10, 64); err == nil {
				d.Total = n
			}
		}
	}
	return d, nil
}
