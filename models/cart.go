package models

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// MaxLineQuantity caps one cart line.
const MaxLineQuantity = 99

// MaxCartLines caps the lines (different products) of one cart: a script
// adding every product of the catalog makes one cart of at most this many
// rows.
const MaxCartLines = 100

// cartFull is the refusal of a line beyond MaxCartLines.
func cartFull() error {
	return &ValidationError{Fields: map[string]string{"quantity": fmt.Sprintf("Your cart already holds %d different products, the most one cart can hold: check out or remove one to add another.", MaxCartLines)}}
}

// CartLines returns the lines of a cart with their products.
func (db *DB) CartLines(ctx context.Context, owner string) ([]CartItem, error) {
	var items []CartItem
	err := db.R.WithContext(ctx).Preload("Product").Where("owner_key = ?", owner).Order("id").Find(&items).Error
	if err != nil {
		return nil, fmt.Errorf("models: load cart: %w", err)
	}
	return items, nil
}

// Short is the line's product out of stock or off sale as its product
// was read (the cart's read), or nil when there is enough of it. The
// order's stock decrement is what decides; this refuses early what it
// would refuse.
func (l CartItem) Short() *OutOfStockError {
	if l.Product.Active && l.Product.Stock >= l.Quantity {
		return nil
	}
	return &OutOfStockError{Title: l.Product.Title, Available: l.Product.Stock, NoLongerSold: !l.Product.Active}
}

// CartCount returns the number of units in a cart.
func (db *DB) CartCount(ctx context.Context, owner string) (int, error) {
	var n int
	err := db.R.WithContext(ctx).Model(&CartItem{}).Where("owner_key = ?", owner).Select("COALESCE(SUM(quantity), 0)").Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("models: count cart: %w", err)
	}
	return n, nil
}

// AddToCart adds qty units of a product, capped by stock. Adds to one cart
// and its checkout take turns (one lock per cart, across every instance on
// PostgreSQL): two adds at once both count, and an add never lands between
// a checkout's reading of the cart and its emptying.
func (db *DB) AddToCart(ctx context.Context, owner string, productID uint, qty int) error {
	_, err := db.AddToCartCapped(ctx, owner, productID, qty)
	return err
}

// Capped says how an add was capped: Added units went in and the line now
// holds Line (less than asked for when the stock or MaxLineQuantity was
// reached).
type Capped struct{ Added, Line int }

// AddToCartCapped is AddToCart saying how many units went in, so the shop
// can tell a shopper who asked for more than it had.
func (db *DB) AddToCartCapped(ctx context.Context, owner string, productID uint, qty int) (Capped, error) {
	var res Capped
	if qty < 1 || qty > MaxLineQuantity {
		return res, &ValidationError{Fields: map[string]string{"quantity": fmt.Sprintf("Choose a quantity from 1 to %d.", MaxLineQuantity)}}
	}
	err := db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockTx(tx, cartLockKey(owner)); err != nil {
			return fmt.Errorf("models: add to cart: %w", err)
		}
		var p Product
		if err := tx.First(&p, productID).Error; err != nil {
			return notFound(err, "add product %d to cart", productID)
		}
		if !p.Active {
			return &ValidationError{Fields: map[string]string{"quantity": "Sorry, this product is no longer sold."}}
		}
		if !p.InStock() {
			return &ValidationError{Fields: map[string]string{"quantity": "Sorry, this product is out of stock."}}
		}
		var line CartItem
		err := tx.Where("owner_key = ? AND product_id = ?", owner, productID).First(&line).Error
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return fmt.Errorf("models: add to cart: %w", err)
		}
		if line.ID == 0 {
			var lines int64
			if err := tx.Model(&CartItem{}).Where("owner_key = ?", owner).Count(&lines).Error; err != nil {
				return fmt.Errorf("models: add to cart: %w", err)
			}
			if lines >= MaxCartLines {
				return cartFull()
			}
		}
		if line.Quantity >= min(p.Stock, MaxLineQuantity) {
			return &ValidationError{Fields: map[string]string{"quantity": fmt.Sprintf("Your cart already holds all %d of “%s” you can order.", line.Quantity, p.Title)}}
		}
		want := min(line.Quantity+qty, p.Stock, MaxLineQuantity)
		res = Capped{Added: want - line.Quantity, Line: want}
		line.OwnerKey, line.ProductID, line.Quantity = owner, productID, want
		if err := tx.Save(&line).Error; err != nil {
			return fmt.Errorf("models: add to cart: %w", err)
		}
		return nil
	})
	return res, err
}

// cartLockKey names the lock that a cart's adds and checkout take.
func cartLockKey(owner string) string { return "checkout:" + owner }

// SetCartQuantity sets a line's quantity; zero removes the line. Raising
// a line above the product's stock is refused with how many are left, as
// adding is capped at it; lowering is always allowed, even to a quantity
// still above a stock that fell since (checkout then names the line).
func (db *DB) SetCartQuantity(ctx context.Context, owner string, productID uint, qty int) error {
	if qty < 0 || qty > MaxLineQuantity {
		return &ValidationError{Fields: map[string]string{"quantity": fmt.Sprintf("Choose a quantity from 0 to %d.", MaxLineQuantity)}}
	}
	return db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockTx(tx, cartLockKey(owner)); err != nil {
			return fmt.Errorf("models: set cart quantity: %w", err)
		}
		if qty == 0 {
			if err := tx.Where("owner_key = ? AND product_id = ?", owner, productID).Delete(&CartItem{}).Error; err != nil {
				return fmt.Errorf("models: set cart quantity: %w", err)
			}
			return nil
		}
		var line CartItem
		err := tx.Where("owner_key = ? AND product_id = ?", owner, productID).First(&line).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			// A cart page left open in another window: its line was removed
			// meanwhile. Say so rather than "updated" with nothing changed.
			var p Product
			if err := tx.First(&p, productID).Error; err != nil {
				return notFound(err, "set cart quantity of product %d", productID)
			}
			return &ValidationError{Fields: map[string]string{"quantity": fmt.Sprintf(
				"“%s” is no longer in your cart: it was removed, perhaps in another window. Add it again from its page.", p.Title)}}
		}
		if err != nil {
			return fmt.Errorf("models: set cart quantity: %w", err)
		}
		if qty > line.Quantity {
			var p Product
			if err := tx.First(&p, productID).Error; err != nil {
				return notFound(err, "set cart quantity of product %d", productID)
			}
			if !p.Active {
				return &ValidationError{Fields: map[string]string{"quantity": fmt.Sprintf("Sorry, “%s” is no longer sold.", p.Title)}}
			}
			if !p.InStock() {
				return &ValidationError{Fields: map[string]string{"quantity": fmt.Sprintf("Sorry, “%s” is out of stock.", p.Title)}}
			}
			if qty > p.Stock {
				return &ValidationError{Fields: map[string]string{"quantity": fmt.Sprintf("Sorry, only %d of “%s” left in stock.", p.Stock, p.Title)}}
			}
		}
		if err := tx.Model(&CartItem{}).Where("owner_key = ? AND product_id = ?", owner, productID).Update("quantity", qty).Error; err != nil {
			return fmt.Errorf("models: set cart quantity: %w", err)
		}
		return nil
	})
}

// MergeVisitor moves an anonymous visitor's cart and history onto a
// shopper at login, in one transaction. It takes the visitor's cart and
// then the account's, as adds and checkouts do (across every instance on
// PostgreSQL): a login sent twice at once (a double click) moves the
// visitor's lines once, not twice, and a checkout of the account on
// another device neither deletes lines merged while it ran nor is joined
// by them; the account's line cap counts lines added meanwhile.
func (db *DB) MergeVisitor(ctx context.Context, visitorKey, shopperKey string) error {
	if visitorKey == "" || visitorKey == shopperKey {
		return nil
	}
	return db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Always the visitor's first: nothing takes an account's cart and
		// then a visitor's, so two merges cannot wait for each other.
		for _, owner := range []string{visitorKey, shopperKey} {
			if err := lockTx(tx, cartLockKey(owner)); err != nil {
				return fmt.Errorf("models: merge cart: %w", err)
			}
		}
		var lines []CartItem
		if err := tx.Where("owner_key = ?", visitorKey).Find(&lines).Error; err != nil {
			return fmt.Errorf("models: merge cart: %w", err)
		}
		var have []uint
		if err := tx.Model(&CartItem{}).Where("owner_key = ?", shopperKey).Pluck("product_id", &have).Error; err != nil {
			return fmt.Errorf("models: merge cart: %w", err)
		}
		held := make(map[uint]bool, len(have))
		for _, id := range have {
			held[id] = true
		}
		for _, l := range lines {
			if !held[l.ProductID] {
				if len(held) >= MaxCartLines {
					continue // the account's cart is full: the visit's extra lines are dropped
				}
				held[l.ProductID] = true
			}
			err := tx.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "owner_key"}, {Name: "product_id"}},
				DoUpdates: clause.Assignments(map[string]any{"quantity": gorm.Expr("CASE WHEN cart_items.quantity + excluded.quantity > ? THEN ? ELSE cart_items.quantity + excluded.quantity END", MaxLineQuantity, MaxLineQuantity)}),
			}).Create(&CartItem{OwnerKey: shopperKey, ProductID: l.ProductID, Quantity: l.Quantity}).Error
			if err != nil {
				return fmt.Errorf("models: merge cart line: %w", err)
			}
		}
		if err := tx.Where("owner_key = ?", visitorKey).Delete(&CartItem{}).Error; err != nil {
			return fmt.Errorf("models: clear visitor cart: %w", err)
		}
		return MergeVisitorEventsTx(tx, visitorKey, shopperKey)
	})
}

// Address is the shipping address entered at checkout.
type Address struct {
	Name, Email, Street, City, Postcode, Country string
}

// Validate returns a message per invalid field.
func (a *Address) Validate() map[string]string {
	f := map[string]string{}
	trim := func(s *string) { *s = strings.TrimSpace(*s) }
	trim(&a.Name)
	trim(&a.Street)
	trim(&a.City)
	trim(&a.Postcode)
	trim(&a.Country)
	req := func(field, v, msg string, max int) {
		switch {
		case v == "":
			f[field] = msg
		case len(v) > max:
			f[field] = fmt.Sprintf("Use at most %d characters.", max)
		}
	}
	req("name", a.Name, "Enter the recipient's name.", 100)
	req("street", a.Street, "Enter the street and house number.", 200)
	req("city", a.City, "Enter the city.", 100)
	req("postcode", a.Postcode, "Enter the postcode.", 20)
	req("country", a.Country, "Enter the country.", 60)
	if _, bad := f["postcode"]; !bad && !ValidPostcode(a.Postcode) {
		f["postcode"] = "Enter a postcode of letters and digits, such as 90210, SW1A 1AA or 10115."
	}
	if em, ok := NormalizeEmail(a.Email); ok {
		a.Email = em
	} else {
		f["email"] = "Enter a valid email address."
	}
	return f
}

// ValidPostcode accepts the shapes postcodes take across countries: 2 to 10
// letters and digits, at least one digit or two letters, with single spaces
// or hyphens between them ("90210", "SW1A 1AA", "1234-567", "D02 X285").
func ValidPostcode(p string) bool {
	if len(p) < 2 || len(p) > 12 {
		return false
	}
	alnum, digits, prevSep := 0, 0, true
	for _, r := range p {
		switch {
		case r >= '0' && r <= '9':
			digits++
			alnum++
			prevSep = false
		case (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z'):
			alnum++
			prevSep = false
		case (r == ' ' || r == '-') && !prevSep:
			prevSep = true
		default:
			return false
		}
	}
	return !prevSep && alnum >= 2 && alnum <= 10 && (digits > 0 || alnum >= 4)
}

// OutOfStockError says which product could not be bought: fewer left
// than the cart holds, or no longer sold at all (deactivated).
type OutOfStockError struct {
	Title        string
	Available    int
	NoLongerSold bool
}

func (e *OutOfStockError) Error() string {
	if e.NoLongerSold {
		return fmt.Sprintf("%q is no longer sold", e.Title)
	}
	if e.Available <= 0 {
		return fmt.Sprintf("%q is out of stock", e.Title)
	}
	return fmt.Sprintf("only %d of %q left in stock", e.Available, e.Title)
}

func (e *OutOfStockError) Unwrap() error { return ErrConflict }

// ErrEmptyCart is returned when checking out an empty cart.
var ErrEmptyCart = fmt.Errorf("cart is empty: %w", ErrInvalid)

// ErrTotalChanged refuses an order whose total differs from the amount the
// payment provider authorized: a price changed while the shopper paid.
var ErrTotalChanged = fmt.Errorf("the order total changed during checkout: %w", ErrConflict)

// ErrCartChanged refuses an order whose cart is not the one the checkout
// page showed the shopper (a price, a quantity or a product changed since,
// by the merchant or in another tab): the shopper pays only a total they
// were shown.
var ErrCartChanged = fmt.Errorf("the cart changed since the checkout page showed it: %w", ErrConflict)

// CartDigest names a cart's contents as the checkout page shows them: each
// product, its quantity and its price. The checkout form carries the digest
// of the cart it showed, and an order is placed only from a cart with the
// same digest.
func CartDigest(lines []CartItem) string {
	parts := make([]string, len(lines))
	for i, l := range lines {
		parts[i] = fmt.Sprintf("%d:%d:%d", l.ProductID, l.Quantity, l.Product.PriceCents)
	}
	slices.Sort(parts)
	sum := sha256.Sum256([]byte(strings.Join(parts, "\n")))
	return hex.EncodeToString(sum[:16])
}

// Payment is what the payment provider authorized for an order.
type Payment struct {
	Ref             string // the provider's reference
	AuthorizedCents int64  // the order's total must equal it
	// Free is an order placed without a payment, its cart costing nothing:
	// its total must still be zero when it is placed.
	Free bool
	// Arm is the buyer's experiment arm or control group, kept on the order
	// and its purchase events.
	Arm string
	// CartDigest, when given, is the CartDigest of the cart the shopper was
	// shown: the order is refused with ErrCartChanged from any other cart.
	CartDigest string
}

// CheckoutAnswerReserve is the part of a checkout request's time that
// placing the order leaves for the answer: voiding the payment of an order
// not placed and showing the checkout page again.
const CheckoutAnswerReserve = 2 * time.Second

// placeOrderTries is how many times a checkout is tried when it waited
// too long for a lock (PlaceOrderPaid).
const placeOrderTries = 3

// PlaceOrder turns a cart into a paid order in one transaction: stock is
// decremented only where enough is left, so nothing is ever oversold, and
// an order with the same idempotency key is returned instead of a second.
func (db *DB) PlaceOrder(ctx context.Context, owner string, shopperID uint, idemKey string, addr Address) (*Order, bool, error) {
	return db.PlaceOrderPaid(ctx, owner, shopperID, idemKey, addr, Payment{})
}

// PlaceOrderPaid is PlaceOrder for an authorized payment: the order keeps
// the provider's reference, and is refused with ErrTotalChanged when its
// total is not the authorized amount.
func (db *DB) PlaceOrderPaid(ctx context.Context, owner string, shopperID uint, idemKey string, addr Address, pay Payment) (*Order, bool, error) {
	if idemKey == "" {
		return nil, false, fmt.Errorf("models: place order: missing idempotency key: %w", ErrInvalid)
	}
	var order Order
	var created bool
	place := func(tx *gorm.DB) error {
		order, created = Order{}, false
		if err := db.setLockWait(tx); err != nil {
			return err
		}
		// One checkout per cart at a time, whichever instance takes it,
		// and no add to the cart while it is read and emptied.
		if err := lockTx(tx, cartLockKey(owner)); err != nil {
			return err
		}
		err := tx.Where("idempotency_key = ?", idemKey).First(&order).Error
		if err == nil {
			if order.ShopperID == nil || *order.ShopperID != shopperID {
				return ErrForbidden
			}
			return nil
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		// A key whose authorization was voided is used up: a provider
		// answers it with that authorization again.
		if err := paymentVoidedTx(tx, idemKey); err != nil {
			return err
		}
		// In the same transaction as the account's deletion would be: an
		// order for a deleted account (another device still signed in)
		// would keep its name and address.
		var accounts int64
		if err := tx.Model(&Shopper{}).Where("id = ?", shopperID).Count(&accounts).Error; err != nil {
			return err
		}
		if accounts == 0 {
			return fmt.Errorf("shopper %d: %w", shopperID, ErrNotFound)
		}
		var lines []CartItem
		if err := tx.Preload("Product").Where("owner_key = ?", owner).Order("id").Find(&lines).Error; err != nil {
			return err
		}
		if len(lines) == 0 {
			return ErrEmptyCart
		}
		if pay.CartDigest != "" && CartDigest(lines) != pay.CartDigest {
			return ErrCartChanged
		}
		// Sold out already: refused before writing anything, and without
		// queueing for the row of a product others are buying.
		for _, l := range lines {
			if err := l.Short(); err != nil {
				return err
			}
		}
		now := time.Now().UTC()
		order = Order{ShopperID: &shopperID, IdempotencyKey: idemKey, Status: OrderPaid,
			Email: addr.Email, Name: addr.Name, Street: addr.Street, City: addr.City,
			Postcode: addr.Postcode, Country: addr.Country, Arm: pay.Arm, PaymentRef: pay.Ref, CreatedAt: now}
		events := make([]Event, 0, len(lines))
		for _, l := range lines {
			order.TotalCents += l.Product.PriceCents * int64(l.Quantity)
			order.Items = append(order.Items, OrderItem{ProductID: l.ProductID, Title: l.Product.Title, PriceCents: l.Product.PriceCents, Quantity: l.Quantity})
			pid := l.ProductID
			events = append(events, Event{UserKey: owner, ProductID: &pid, Type: EventPurchase, Value: float64(l.Product.PriceCents*int64(l.Quantity)) / 100, Arm: pay.Arm, CreatedAt: now})
		}
		if pay.AuthorizedCents != 0 && order.TotalCents != pay.AuthorizedCents || pay.Free && order.TotalCents != 0 {
			return ErrTotalChanged
		}
		if err := tx.Create(&order).Error; err != nil {
			return err
		}
		if err := tx.Where("owner_key = ?", owner).Delete(&CartItem{}).Error; err != nil {
			return err
		}
		if err := InsertEventsTx(tx, events); err != nil {
			return err
		}
		// Stock last, in product order: a product others are buying at the
		// same moment is held only from here to the commit, and two carts
		// of the same products take their rows in the same order.
		slices.SortFunc(lines, func(a, b CartItem) int { return cmp.Compare(a.ProductID, b.ProductID) })
		for _, l := range lines {
			res := tx.Model(&Product{}).Where("id = ? AND active = ? AND stock >= ?", l.ProductID, true, l.Quantity).
				Update("stock", gorm.Expr("stock - ?", l.Quantity))
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				var p Product
				tx.First(&p, l.ProductID)
				return &OutOfStockError{Title: l.Product.Title, Available: p.Stock, NoLongerSold: !p.Active}
			}
		}
		created = true
		return nil
	}
	// A checkout that waited too long for a product's row (many shoppers
	// buying the last units at once, on a slow moment) is tried again: the
	// idempotency key and the cart's lock make a second try safe, and the
	// shopper gets an order or "sold out" rather than "busy". All the
	// tries wait no longer than the request can (txWithin): past that
	// the answer is ErrBusy, nothing written, with time left to void the
	// payment and say so (before, the request's deadline cancelled the
	// checkout mid-statement and the shopper got an error page).
	err := db.txWithin(ctx, CheckoutAnswerReserve, placeOrderTries, func() time.Duration { return time.Duration(10+rand.IntN(40)) * time.Millisecond }, place)
	if err != nil {
		var oos *OutOfStockError
		if errors.As(err, &oos) || errors.Is(err, ErrEmptyCart) || errors.Is(err, ErrTotalChanged) || errors.Is(err, ErrCartChanged) || errors.Is(err, ErrPaymentVoided) {
			return nil, false, err
		}
		return nil, false, fmt.Errorf("models: place order: %w", err)
	}
	return &order, created, nil
}

// OrdersOf lists a shopper's orders, newest first.
func (db *DB) OrdersOf(ctx context.Context, shopperID uint) ([]Order, error) {
	var os []Order
	err := db.R.WithContext(ctx).Preload("Items").Where("shopper_id = ?", shopperID).Order("created_at DESC, id DESC").Find(&os).Error
	if err != nil {
		return nil, fmt.Errorf("models: orders of shopper %d: %w", shopperID, err)
	}
	return os, nil
}

// LastAddressOf is the address of the shopper's newest order, to fill in
// their next checkout; nil when they have not ordered.
func (db *DB) LastAddressOf(ctx context.Context, shopperID uint) (*Address, error) {
	var o Order
	err := db.R.WithContext(ctx).Select("name", "email", "street", "city", "postcode", "country").
		Where("shopper_id = ?", shopperID).Order("created_at DESC, id DESC").Limit(1).Find(&o).Error
	if err != nil {
		return nil, fmt.Errorf("models: last address of shopper %d: %w", shopperID, err)
	}
	if o.Street == "" {
		return nil, nil
	}
	return &Address{Name: o.Name, Email: o.Email, Street: o.Street, City: o.City, Postcode: o.Postcode, Country: o.Country}, nil
}

// OrderOf returns one order if it belongs to the shopper; another
// shopper's order is reported as not found.
func (db *DB) OrderOf(ctx context.Context, shopperID, orderID uint) (*Order, error) {
	var o Order
	err := db.R.WithContext(ctx).Preload("Items").Where("id = ? AND shopper_id = ?", orderID, shopperID).First(&o).Error
	if err != nil {
		return nil, notFound(err, "find order %d", orderID)
	}
	return &o, nil
}

// OrderByKey finds the shopper's order placed from the checkout form with
// idempotency key key, or ErrNotFound.
func (db *DB) OrderByKey(ctx context.Context, shopperID uint, key string) (*Order, error) {
	var o Order
	err := db.R.WithContext(ctx).Where("idempotency_key = ? AND shopper_id = ?", key, shopperID).First(&o).Error
	if err != nil {
		return nil, notFound(err, "find the order of a checkout form")
	}
	return &o, nil
}

// DeleteIdleVisitorCarts removes the carts of anonymous visitors (owner
// "v:…") with no line changed since before: a visitor who never comes back
// would otherwise keep their rows forever. Shoppers' carts are kept.
func (db *DB) DeleteIdleVisitorCarts(ctx context.Context, before time.Time) (int64, error) {
	idle := db.W.Model(&CartItem{}).Select("owner_key").Where("owner_key LIKE ?", "v:%").
		Group("owner_key").Having("MAX(updated_at) < ?", before)
	res := db.W.WithContext(ctx).Where("owner_key IN (?)", idle).Delete(&CartItem{})
	if res.Error != nil {
		return 0, fmt.Errorf("models: delete idle visitor carts: %w", res.Error)
	}
	return res.RowsAffected, nil
}
