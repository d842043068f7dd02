package docfile_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/phonghop/phonghop/internal/testdocs"
	"github.com/phonghop/phonghop/server/docfile"
	"github.com/phonghop/phonghop/server/meeting"
)

// draftParts is a draft political report, as a Word document would hold
// it.
var draftParts = []testdocs.Part{
	{Level: 0, Text: "BÁO CÁO CHÍNH TRỊ (DỰ THẢO)"},
	{Level: 1, Text: "Phần thứ nhất: ĐÁNH GIÁ KẾT QUẢ THỰC HIỆN NGHỊ QUYẾT", Body: []string{"Nhiệm kỳ qua, trong bối cảnh nhiều khó khăn…"}},
	{Level: 2, Text: "1. Về phát triển kinh tế", Body: []string{"Tốc độ tăng trưởng bình quân 7,2%/năm.", "Cơ cấu kinh tế chuyển dịch tích cực."}},
	{Level: 2, Text: "2. Về văn hóa, xã hội"},
	{Level: 1, Text: "Phần thứ hai: PHƯƠNG HƯỚNG, NHIỆM VỤ NHIỆM KỲ 2025 - 2030"},
	{Level: 3, Text: "a) Mục tiêu tổng quát", Body: []string{"Xây dựng Đảng bộ trong sạch, vững mạnh."}},
	{Level: 2, Text: "Chương II   Các giải pháp"}, // the last one: an outline level on the paragraph, no style
}

func TestOutlineDOCX(t *testing.T) {
	b := testdocs.DOCXDraft(draftParts)
	mt, err := docfile.Detect(bytes.NewReader(b), int64(len(b)))
	if err != nil || mt != docfile.DOCX {
		t.Fatalf("Detect = %q, %v; want DOCX", mt, err)
	}
	got, err := docfile.Outline(bytes.NewReader(b), int64(len(b)), mt)
	if err != nil {
		t.Fatal(err)
	}
	want := []docfile.Heading{
		{Level: 1, Title: "BÁO CÁO CHÍNH TRỊ (DỰ THẢO)"},
		{Level: 1, Label: "Phần thứ nhất", Title: "ĐÁNH GIÁ KẾT QUẢ THỰC HIỆN NGHỊ QUYẾT", Text: "Nhiệm kỳ qua, trong bối cảnh nhiều khó khăn…"},
		{Level: 2, Label: "1.", Title: "Về phát triển kinh tế", Text: "Tốc độ tăng trưởng bình quân 7,2%/năm.\nCơ cấu kinh tế chuyển dịch tích cực."},
		{Level: 2, Label: "2.", Title: "Về văn hóa, xã hội"},
		{Level: 1, Label: "Phần thứ hai", Title: "PHƯƠNG HƯỚNG, NHIỆM VỤ NHIỆM KỲ 2025 - 2030"},
		{Level: 3, Label: "a)", Title: "Mục tiêu tổng quát", Text: "Xây dựng Đảng bộ trong sạch, vững mạnh."},
		{Level: 2, Label: "Chương II", Title: "Các giải pháp"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Outline(DOCX) (-want +got):\n%s", diff)
	}
}

func TestOutlinePDF(t *testing.T) {
	parts := []testdocs.Part{
		{Level: 1, Text: "Phần thứ nhất: ĐÁNH GIÁ"},
		{Level: 2, Text: "1. Về kinh tế"},
		{Level: 2, Text: "2. Về văn hóa"},
		{Level: 1, Text: "PHƯƠNG HƯỚNG"},
	}
	b := testdocs.PDFWithOutline(parts)
	got, err := docfile.Outline(bytes.NewReader(b), int64(len(b)), docfile.PDF)
	if err != nil {
		t.Fatal(err)
	}
	want := []docfile.Heading{
		{Level: 1, Label: "Phần thứ nhất", Title: "ĐÁNH GIÁ", Page: 1},
		{Level: 2, Label: "1.", Title: "Về kinh tế", Page: 1},
		{Level: 2, Label: "2.", Title: "Về văn hóa", Page: 1},
		{Level: 1, Title: "PHƯƠNG HƯỚNG", Page: 2},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Outline(PDF) (-want +got):\n%s", diff)
	}
	// A PDF without an outline has no headings, and no error.
	plain := testdocs.PDF(2, "x")
	if hs, err := docfile.Outline(bytes.NewReader(plain), int64(len(plain)), docfile.PDF); err != nil || len(hs) != 0 {
		t.Errorf("Outline(PDF without outline) = %v, %v; want none, nil", hs, err)
	}
}

func TestOutlineRefuses(t *testing.T) {
	x := testdocs.XLSX()
	if _, err := docfile.Outline(bytes.NewReader(x), int64(len(x)), docfile.XLSX); meeting.KindOf(err) != meeting.KindInvalid {
		t.Errorf("Outline(XLSX) = %v; want invalid", err)
	}
	junk := []byte("PK\x03\x04 not a zip")
	if _, err := docfile.Outline(bytes.NewReader(junk), int64(len(junk)), docfile.DOCX); err == nil {
		t.Errorf("Outline(a broken zip) = nil error; want one")
	}
	// Many headings: at most meeting.MaxSections.
	var many []testdocs.Part
	for i := range meeting.MaxSections + 20 {
		many = append(many, testdocs.Part{Level: 2, Text: strings.Repeat("x", i%5+1)})
	}
	b := testdocs.DOCXDraft(many)
	if hs, err := docfile.Outline(bytes.NewReader(b), int64(len(b)), docfile.DOCX); err != nil || len(hs) != meeting.MaxSections {
		t.Errorf("Outline of %d headings = %d, %v; want %d", len(many), len(hs), err, meeting.MaxSections)
	}
}
