package seed

import (
	"context"
	"testing"
)

func TestDescriptionText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`<p>Our <strong>maxi dress</strong>, made from "good" materials.</p><ul><li>Care: wash cold, line dry</li><li>Fits true to size</li></ul>`,
			"Our maxi dress, made from \"good\" materials.\n\n• Care: wash cold, line dry\n• Fits true to size"},
		{"<div>Line one<br>Line two</div><div>Line three</div>", "Line one\nLine two\nLine three"},
		{"<h2>Details</h2>\n<p>Cotton &amp; linen, 2&nbsp;sizes</p>", "Details\n\nCotton & linen, 2 sizes"},
		{"<p>Sale!</p><script>alert(1)</script><style>p{}</style><!-- x --><p>Ends soon</p>", "Sale!\n\nEnds soon"},
		{"<P CLASS=x>Upper case</P>", "Upper case"},
		{"Fits cups < 10 cm and > 5 cm", "Fits cups < 10 cm and > 5 cm"},
		{"Plain text.\n\nTwo paragraphs.", "Plain text.\n\nTwo paragraphs."},
		{"", ""},
	} {
		if got := descriptionText(c.in); got != c.want {
			t.Errorf("descriptionText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestImportStoresAnHTMLDescriptionAsText: a description an export wrote
// in HTML (Shopify's "Body (HTML)", WooCommerce) is stored as the text the
// product page shows, in paragraphs and lines; the page showed the tags
// ("<p>Our <strong>maxi dress</strong>…").
func TestImportStoresAnHTMLDescriptionAsText(t *testing.T) {
	db := openDB(t)
	mustImport(t, db, "id,title,description,category,brand,price,stock,created_at\n"+
		"D1,Maxi Dress,\"<p>Our <strong>maxi dress</strong>, made from \"\"good\"\" materials.</p><ul><li>Wash cold</li><li>Fits true to size</li></ul>\",Women > Dresses,B,19.99,1,\n", "")
	p, err := db.ProductByExternalID(context.Background(), "D1")
	must(t, err)
	if want := "Our maxi dress, made from \"good\" materials.\n\n• Wash cold\n• Fits true to size"; p.Description != want {
		t.Fatalf("stored description %q, want %q", p.Description, want)
	}
}
