package seed

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// A supplier's file whose header holds 200,000 columns the import does not
// read, and not the required ones: each missing column's problem named
// every unread column, so an 8 MB file of a million made a 75 MB preview
// page (and as much on the command line). The problems name the first
// few, count the rest, and cut a long name; nothing is written.
func TestAHeaderOfManyUnknownColumnsGetsAShortAnswer(t *testing.T) {
	db := openDB(t)
	const extra = 200_000
	var b strings.Builder
	b.WriteString("id,title,price")
	for i := range extra {
		fmt.Fprintf(&b, ",c%d", i)
	}
	b.WriteString("," + strings.Repeat("L", 5000) + "\nP1,Pen,1.00\n")
	_, err := Import(context.Background(), db, writeFile(t, "products.csv", b.String()), "", nil)
	if err == nil {
		t.Fatal("a header without description, category, brand, stock and created_at was imported")
	}
	msg := err.Error()
	if len(msg) > 10_000 {
		t.Fatalf("the import's answer to a header of %d unknown columns is %d bytes, want a few lines", extra+1, len(msg))
	}
	for _, want := range []string{`products.csv:1: field description: missing required column`, `"c0", "c1"`, fmt.Sprintf("and %d more", extra+1-maxNamedColumns)} {
		if !strings.Contains(msg, want) {
			t.Errorf("the answer does not say %q:\n%s", want, msg)
		}
	}
	var n int64
	must(t, db.R.Table("products").Count(&n).Error)
	if n != 0 {
		t.Errorf("%d products written by a refused file", n)
	}
}
