package web

import "context"

// endSessionsOf ends every session signed in as the shopper, on any device.
// A request already on its way is signed out by identify, which checks the
// deleted shoppers (shop.IsForgotten). The store finds them by the owner it
// keeps beside each session (sessionOwner), rather than every session of
// the shop being read and decoded for each: with 100,000 sessions stored,
// one shopper's "Sign out on every other device", sent a dozen times at
// once, held the server (1.7 s each; the homepage took 20 s meanwhile).
func (s *Server) endSessionsOf(ctx context.Context, shopperID uint) error {
	_, err := s.sessionStore.EndSessionsOf(ctx, shopperID)
	return err
}

// sessionOwner reads the shopper a stored session is signed in as (0: a
// visitor's or staff's session); false when the data cannot be read.
func sessionOwner(data []byte) (uint, bool) {
	_, values, err := sessionCodec{}.Decode(data)
	if err != nil {
		return 0, false
	}
	id, _ := values[sessShopperID].(int)
	return uint(max(id, 0)), true
}
