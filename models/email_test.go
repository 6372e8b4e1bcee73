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

// "josé@example.com" written with a combining accent (e + U+0301, as some
// keyboards and systems write it) registered a second account beside the
// one written with é (U+00E9): two accounts whose addresses read, print
// and are delivered alike. An address is kept and found in normal form C,
// so the second registration is told the account exists, and the owner
// logs in typing it either way; accounts stored before are folded by a
// migration, unless that would take the spelling of another.
func TestAnEmailInAnyNormalFormIsOneAccount(t *testing.T) {
	const composed, decomposed = "jos\u00e9@example.com", "jose\u0301@example.com"
	if em, ok := NormalizeEmail("JOSE\u0301@Example.com"); !ok || em != composed {
		t.Errorf("NormalizeEmail(decomposed, upper case) = %q, %t; want %q", em, ok, composed)
	}
	db := mustOpen(t)
	ctx := context.Background()
	const pw = "a long enough password 1"
	if _, err := db.CreateShopper(ctx, "José", composed, pw); err != nil {
		t.Fatal(err)
	}
	_, err := db.CreateShopper(ctx, "Not José", decomposed, "a long enough password 2")
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Fields["email"] == "" || ve.Fields["email"] == "Enter a valid email address." {
		t.Fatalf("registering the decomposed spelling: %v, want the account to exist", err)
	}
	for _, typed := range []string{composed, decomposed} {
		if _, err := db.AuthenticateShopper(ctx, typed, pw); err != nil {
			t.Errorf("logging in as %q: %v", typed, err)
		}
	}

	// Accounts an earlier version stored decomposed.
	stored, err := db.CreateShopper(ctx, "Zoë", "zoe\u0308@example.com", pw)
	must(t, err)
	must(t, db.W.Exec("UPDATE shoppers SET email = ? WHERE id = ?", "zoe\u0308@example.com", stored.ID).Error)
	twin, err := db.CreateShopper(ctx, "Twin", "twin@example.com", pw)
	must(t, err)
	must(t, db.W.Exec("UPDATE shoppers SET email = ? WHERE id = ?", decomposed, twin.ID).Error)
	staff, err := db.CreateStaff(ctx, "test", NewStaff{Email: "ana@example.com", Name: "Ana", Role: RoleMerchandiser, Password: pw})
	must(t, err)
	must(t, db.W.Exec("UPDATE staffs SET email = ? WHERE id = ?", "an\u0303a@example.com", staff.ID).Error)
	for _, m := range migrations {
		if m.ID == "202612060900_emails_normal_form_c" {
			must(t, db.W.Transaction(m.Up))
		}
	}
	if _, err := db.AuthenticateShopper(ctx, "zoe\u0308@example.com", pw); err != nil {
		t.Errorf("the decomposed account stored before, after the migration: %v", err)
	}
	if _, err := db.AuthenticateStaff(ctx, "a\u00f1a@example.com", pw); err != nil {
		t.Errorf("the decomposed staff account stored before, after the migration: %v", err)
	}
	var emails []string
	must(t, db.R.Raw("SELECT email FROM shoppers WHERE id IN (?, ?) ORDER BY id", stored.ID, twin.ID).Scan(&emails).Error)
	if len(emails) != 2 || emails[0] != "zo\u00eb@example.com" || emails[1] != decomposed {
		t.Errorf("after the migration the emails are %q; want Zoë's folded and the twin's kept (its folded spelling is José's)", emails)
	}
}
