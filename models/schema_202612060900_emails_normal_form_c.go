package models

import (
	"gorm.io/gorm"
)

// Accounts' emails in Unicode normal form C (FoldEmail): an address
// registered with a combining accent is kept as the one with the accented
// letter, so the owner, typing it either way, finds the account. An
// address whose folded spelling another account already holds (the
// duplicate the unfolded spelling made) is left as it was.
func init() {
	register("202612060900_emails_normal_form_c", func(tx *gorm.DB) error {
		var shoppers []struct {
			ID    uint
			Email string
		}
		if err := tx.Raw("SELECT id, email FROM shoppers WHERE email IS NOT NULL").Scan(&shoppers).Error; err != nil {
			return err
		}
		for _, r := range shoppers {
			f := FoldEmail(r.Email)
			if f == r.Email {
				continue
			}
			var taken int64
			if err := tx.Raw("SELECT COUNT(*) FROM shoppers WHERE email = ?", f).Scan(&taken).Error; err != nil {
				return err
			}
			if taken > 0 {
				continue
			}
			if err := tx.Exec("UPDATE shoppers SET email = ? WHERE id = ?", f, r.ID).Error; err != nil {
				return err
			}
		}
		var staff []struct {
			ID    uint
			Email string
		}
		if err := tx.Raw("SELECT id, email FROM staffs").Scan(&staff).Error; err != nil {
			return err
		}
		for _, r := range staff {
			f := FoldEmail(r.Email)
			if f == r.Email {
				continue
			}
			var taken int64
			if err := tx.Raw("SELECT COUNT(*) FROM staffs WHERE email = ?", f).Scan(&taken).Error; err != nil {
				return err
			}
			if taken > 0 {
				continue
			}
			if err := tx.Exec("UPDATE staffs SET email = ? WHERE id = ?", f, r.ID).Error; err != nil {
				return err
			}
		}
		return nil
	})
}
