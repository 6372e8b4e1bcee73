package seed

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// A supplier's image_url on the shopper's own computer or network: every
// shopper who opened the product had their browser request it — a GET to
// their router's page (http://192.168.1.1/apply.cgi?…, a request forged in
// their name), a probe of their own machine, a cloud metadata address —
// and the shop's content security policy allowed the host. Such an
// address is refused with its line; public hosts, and names that merely
// hold digits, are taken.
func TestImportRefusesPicturesOnTheShoppersOwnNetwork(t *testing.T) {
	db := openDB(t)
	refused := []string{
		"http://127.0.0.1:8080/p.jpg", "http://localhost/p.jpg", "https://img.localhost/p.jpg", "http://LOCALHOST./p.jpg",
		"http://192.168.1.1/apply.cgi?reboot=1", "http://10.0.0.5/p.png", "http://172.16.0.1/p.png",
		"http://169.254.169.254/latest/meta-data/", "http://[::1]/p.png", "http://[fe80::1]/p.png", "http://[fd00::1]/p.png",
		"http://[::ffff:127.0.0.1]/p.png", "http://0.0.0.0/p.png", "http://0/p.png",
		// What browsers read as 127.0.0.1 and 192.168.1.1 (WHATWG URL).
		"http://2130706433/p.jpg", "http://127.1/p.jpg", "http://0x7f.0.0.1/p.jpg", "http://0300.0250.1.1/p.jpg", "http://3232235777./p.jpg",
	}
	taken := []string{"https://cdn.example.com/p.jpg", "https://8.8.8.8/p.jpg", "https://10.example/p.jpg", "https://img127.example/p.jpg",
		"https://1.2.3.4.nip.example/p.jpg", "/media/catalog/product/p.jpg"}
	var b strings.Builder
	b.WriteString(productsHeaderWithImage)
	for i, u := range append(append([]string{}, refused...), taken...) {
		fmt.Fprintf(&b, "IMG-%d,Pen %d,,Pens,B,1.00,5,,%s\n", i, i, u)
	}
	_, err := Import(context.Background(), db, writeFile(t, "products.csv", b.String()), "", nil)
	if err == nil {
		t.Fatal("pictures on the shopper's own network were imported")
	}
	msg := err.Error()
	for i, u := range refused {
		if want := fmt.Sprintf("products.csv:%d: field image_url: %s: is an address on the shopper's own computer or network", i+2, short(u)); !strings.Contains(msg, want) {
			t.Errorf("%s is not refused with its line:\n%s", u, msg)
		}
	}
	for i, u := range taken {
		if line := fmt.Sprintf("products.csv:%d:", len(refused)+i+2); strings.Contains(msg, line) {
			t.Errorf("%s refused: %s", u, msg)
		}
	}
	var n int64
	must(t, db.R.Table("products").Count(&n).Error)
	if n != 0 {
		t.Errorf("%d products written by a refused file", n)
	}
	// Alone, the public ones are imported.
	var ok strings.Builder
	ok.WriteString(productsHeaderWithImage)
	for i, u := range taken {
		fmt.Fprintf(&ok, "IMG-%d,Pen %d,,Pens,B,1.00,5,,%s\n", i, i, u)
	}
	if _, err := Import(context.Background(), db, writeFile(t, "products.csv", ok.String()), "", nil); err != nil {
		t.Fatalf("public picture addresses refused: %v", err)
	}
}

const productsHeaderWithImage = "id,title,description,category,brand,price,stock,created_at,image_url\n"
