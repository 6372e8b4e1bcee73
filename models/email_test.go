package models

import (
	"context"
	"errors"
	"testing"
)

// An address with a character nobody can see (a zero-width space, a
// joiner, a byte order mark, a right-to-left override, a soft hyphen) was
// taken: "demo@storefront.test" followed by a zero-width space registered a
// second account that reads exactly like the first. Such addresses are not
// addresses; registration refuses them with the email field's message.
func TestInvisibleCharactersMakeNoEmail(t *testing.T) {
	for _, s := range []string{"demo@storefront.test\u200b", "de\u200dmo@storefront.test", "\ufeffdemo@storefront.test",
		"demo@storefront.test\u202e", "de\u00admo@storefront.test", "demo@store\u2066front.test"} {
		if em, ok := NormalizeEmail(s); ok {
			t.Errorf("NormalizeEmail(%q) = %q, accepted", s, em)
		}
	}
	for s, want := range map[string]string{" Demo@Storefront.test ": "demo@storefront.test", "ada.lovelace+shop@example.com": "ada.lovelace+shop@example.com"} {
		if em, ok := NormalizeEmail(s); !ok || em != want {
			t.Errorf("NormalizeEmail(%q) = %q, %t; want %q", s, em, ok, want)
		}
	}
	db := mustOpen(t)
	ctx := context.Background()
	if _, err := db.CreateShopper(ctx, "Demo", "demo@storefront.test", "a long enough password 1"); err != nil {
		t.Fatal(err)
	}
	_, err := db.CreateShopper(ctx, "Not demo", "demo@storefront.test\u200b", "a long enough password 2")
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Fields["email"] != "Enter a valid email address." {
		t.Fatalf("registering the address with a zero-width space: %v, want the email field's message", err)
	}
}
