# trigate's pages in English. Every message here is in zh-CN.ftl too; a test
# fails otherwise.

shop-name = trigate shop
footer-text = Digital goods delivered at once. Your payment is held until you confirm.

## Navigation
nav-skip = Skip to content
nav-label = Main
nav-language = Language
nav-store = Store
nav-lookup = Find my order
nav-sign-in = Sign in
nav-sign-up = Sign up
nav-sign-out = Sign out
nav-signed-in-as = Signed in as { $login }

## Storefront
home-title = All products
home-empty = Nothing is on sale right now.
stock-in = In stock
stock-left = { $count } in stock
stock-out = Sold out
product-per-unit = each
product-tiers = Wholesale prices
product-tier-from = From (units)
product-tier-price = Price each

## Checkout
checkout-quantity = Quantity
checkout-coupon = Coupon (optional)
checkout-lookup-secret = Lookup secret
checkout-lookup-secret-help = 6 to 128 characters. With the order number it finds your order again; keep it.
checkout-method = Pay with
checkout-no-method = No payment method takes this currency now.
checkout-buy = Buy now
method-balance = Wallet balance
method-alipay = Alipay
method-wxpay = WeChat Pay
method-card = Bank card
method-qqpay = QQ Wallet

## Paying
pay-title = Pay for your order
pay-order = Order { $order }
pay-continue = Continue to payment
pay-redirect-help = You will be taken to the payment page; come back here when it is done.
pay-qr-label = Scan this code with your payment app
pay-open-app = Open in the payment app
pay-see-order = See the order

## An order
order-title = Order { $order }
order-status = Status
order-amount = Amount
order-refunded = Refunded
order-waiting = Waiting for the payment to arrive…
order-keys = Your keys
order-content = Your content
order-copy = Copy
order-copy-key = Copy key
order-copied = Copied.
order-status-created = Awaiting payment
order-status-paid = Paid
order-status-delivered = Delivered
order-status-disputed = In dispute
order-status-settled = Completed
order-status-expired = Expired
order-status-cancelled = Cancelled
order-status-refunded = Refunded

## Order lookup
lookup-title = Find my order
lookup-help = Enter the order number and the lookup secret you chose at checkout.
lookup-order = Order number
lookup-secret = Lookup secret
lookup-submit = Find order

## Signing in
signin-title = Sign in
signup-title = Create an account
signin-login = Login
signin-password = Password
signin-totp = Code from your authenticator app
signin-submit = Sign in
signup-submit = Create account
signup-referral = Referral code (optional)
signin-no-account = No account yet? Sign up
signup-have-account = Have an account? Sign in

## Field errors
field-quantity-range = Enter a whole number from { $min } to { $max }.
field-lookup-secret = The lookup secret is 6 to 128 characters.
field-method = Choose how to pay.
field-order-number = Enter the order number (digits only).
field-login = A login is 1 to 64 characters.
field-password = A password is 8 to 256 characters.

## Error pages
error-page-title = Something went wrong
error-page-not-found = Page not found
error-page-not-found-text = There is nothing at this address.
error-page-forbidden = Not allowed
error-page-slow-down = Too many requests
error-back-home = Back to the store
error-form = This form could not be read. Reload the page and try again.
error-csrf = This form has expired or did not come from this site. Reload the page and try again.

# Error messages, one per stable error code (error-<code>).
error-unauthenticated = Please sign in first.
error-bad_credentials = Wrong username or password.
error-second_factor_required = Enter the code from your authenticator app to continue.
error-bad_second_factor = That code is wrong or was already used. Please enter a new one.
error-second_factor_locked = Too many wrong codes. Please try again in 15 minutes.
error-bad_signature = The signature could not be verified.
error-stale_timestamp = The request's time is too far off. Check your clock and try again.
error-replayed_nonce = This request was already received. Send it again with a new nonce.
error-forbidden = You don't have permission to do that.
error-not_found = We couldn't find what you were looking for.
error-bad_request = The request could not be read. Please check it and try again.
error-invalid = Some of the details entered are not valid. Please check and try again.
error-payload_too_large = What you sent is too large.
error-method_not_allowed = That action is not available here.
error-unsupported_media_type = Please send the request as JSON.
error-timeout = The request took too long. Please try again.
error-idempotency_key_required = This action must be sent with an Idempotency-Key header.
error-rate_limited = Too many requests. Please wait a moment and try again.
error-unavailable = The shop is not accepting changes right now. Please try again later.
error-no_channel = No payment method is available for this payment right now.
error-channels_unavailable = Payment is unavailable right now. Please try again shortly.
error-channel_unreachable = We couldn't reach the payment provider. Please try again shortly.
error-channel_says_unpaid = The payment provider has not received this payment yet.
error-unknown_channel = That payment method is not available.
error-internal = Something went wrong on our side; nothing was charged. Please try again.
error-user_not_found = We couldn't find that user.
error-login_taken = That username is already taken.
error-referrer_not_found = That referral code doesn't exist.
error-merchant_not_found = We couldn't find that merchant.
error-merchant_not_active = This merchant is not open for business right now.
error-product_not_found = We couldn't find that product.
error-product_off_sale = This product is not on sale right now.
error-commission_on_membership = Membership and entry packages can't carry a referral commission.
error-shares_over_whole = The fee and commissions together can't exceed 100%.
error-quantity_out_of_range = That quantity is outside this product's per-order limits.
error-out_of_stock = Not enough in stock for that quantity.
error-amount_overflow = That amount is too large.
error-order_not_found = We couldn't find that order.
error-order_state = This can't be done while the order is in its current status.
error-reservation_expired = This order has expired. Please place a new order.
error-insufficient_balance = Your balance is not enough for this amount.
error-refund_beyond_paid = The refund is more than what is left of the payment.
error-dispute_window_closed = The time to open a dispute on this order has passed.
error-attempt_not_found = We couldn't find that payment.
error-amount_mismatch = The amount paid does not match the amount due.
error-coupon_not_applicable = That coupon can't be used here.
error-idempotency_conflict = This submission conflicts with an earlier one. Please reload and try again.
error-key_not_found = We couldn't find that card key.
error-withdrawal_not_found = We couldn't find that withdrawal.
error-withdrawal_state = This can't be done while the withdrawal is in its current status.
error-lookup_refused = The order number or lookup password is wrong.
error-ledger_refused = Something went wrong on our side; nothing was changed. Please try again.
error-debt_open = You have an open debt to the platform; it must be repaid before you withdraw.
error-send_unresolved = An earlier refund of this payment is unconfirmed; finance must resolve it first.
error-approval_required = This needs approval from a second staff member.
error-outflows_stopped = Withdrawals, payouts and refunds are paused until two admins lift the stop.
error-above_surplus = That amount is more than the surplus available to sweep.
error-fees_not_matured = Only fees past their refund period can be swept; this is more than that.
error-past_refund_horizon = This order is past its refund period and can no longer be refunded.
error-settlement_duplicate = This settlement has already been recorded.
error-withdrawal_limit = This withdrawal is outside your withdrawal limits.
error-destination_cooling = This payout account was added recently; it can be used after a waiting period.
error-deposit_required = Your deposit is below the minimum required before you can sell.
error-deposit_held = The deposit is on hold.
error-malformed = The payment provider's message could not be read.
error-missing_parameter = A required parameter is missing.
error-empty_key = This payment method is not fully set up yet.
error-wrong_merchant = The payment notice was for a different merchant account.
error-not_paid = The payment provider reports this payment as not paid.
error-bad_amount = The payment amount could not be read.
error-order_mismatch = The payment notice is for a different order.

## Navigation (signed in)
nav-orders = My orders
nav-wallet = Wallet
nav-withdrawals = Withdrawals
pay-recharge = Wallet top-up
pay-see-wallet = Back to the wallet

## Wallet
wallet-title = My wallet
wallet-recharge = Top-up balance
wallet-reward = Commissions (withdrawable)
wallet-held = Commissions on hold
wallet-debt = Owed to the shop
wallet-buckets-help = Top-ups pay for orders; commissions can be spent or withdrawn once their hold ends.
wallet-recharge-title = Top up
wallet-amount = Amount (¥)
wallet-recharge-submit = Top up
wallet-referral-title = Invite friends
wallet-referral-help = Friends who sign up with your link earn you a commission on what they buy.
wallet-history = History
wallet-history-empty = No money has moved yet.
wallet-when = When
wallet-what = What

## Second factor
security-title = Authenticator app
security-help = Withdrawals need a code from an authenticator app. Enter your password to set one up.
security-current-code = Current code (only when replacing one)
security-current-code-help = Leave empty if you have no authenticator set up yet.
security-submit = Set up authenticator
security-enrolled = Your authenticator is set up. Scan the code now: it is shown only once.
security-scan = Scan with your authenticator app
security-secret = Or enter this key by hand:
security-shown-once = Keep this key private; it will not be shown again.

## Withdrawals
withdrawals-title = Withdrawals
withdrawals-reward = Withdrawable commissions: { $amount }
withdrawals-ask = Ask for a withdrawal
withdrawals-need-destination = Add a destination below first.
withdrawals-destination = Destination
withdrawals-submit = Withdraw
withdrawals-list = My withdrawals
withdrawals-none = No withdrawals yet.
withdrawal-status-requested = Waiting for approval
withdrawal-status-approved = Approved, being paid
withdrawal-status-paid_out = Paid out
withdrawal-status-rejected = Rejected
withdrawal-status-failed = Payout failed, returned
destinations-title = Destinations
destinations-label = Name (e.g. salary card)
destinations-account = Account number or address
destinations-add = Add destination
destinations-remove = Remove
destinations-usable-from = usable from { $time }

## My orders
my-orders-title = My orders
my-orders-none = You have no orders yet.
order-received-title = Got what you paid for?
order-confirm-help = Confirming releases the payment to the seller.
order-confirm = Confirm receipt
order-dispute-title = Something wrong?
order-dispute-reason = What is wrong
order-dispute-open = Open a dispute
order-dispute-waiting = A dispute is open: the payment stays held while the seller answers.

## More field errors
field-amount = Enter an amount such as 12.50.
field-destination = Choose a destination.
field-totp = Enter the code from your authenticator app.
field-destination-label = A name is 1 to 40 characters.
field-destination-account = An account is 1 to 200 characters.
field-reason = Say what is wrong (up to 2000 characters).

## Storefront details, account, disputes, outbox
nav-account = Account
home-categories = Categories
home-all = All
product-category = Category
checkout-email = Email (optional)
checkout-email-help = Where we would write about this order. Nothing is sent yet.
field-email = Enter an email address such as name@example.com, or leave it empty.
field-message = Write 1 to 2000 characters.
dispute-title = Dispute
dispute-by-shop = The shop
dispute-by-you = You
dispute-by-other = The other side
dispute-opened = opened the dispute
dispute-message = wrote
dispute-keys-replaced = replaced the keys
dispute-refunded = refunded
dispute-escalated = asked staff to decide
dispute-released = closed it, releasing the payment
dispute-write = Write a message
dispute-send = Send
account-title = My account
account-email-title = Email
account-email-help = Where messages about your orders would go. Leave empty to remove it.
account-email-save = Save email
account-email-saved = Saved.
outbox-title = Outbox
outbox-help = Messages the shop would have mailed. Mail is not set up yet, so nothing was sent.
outbox-empty = No messages.
outbox-to = To
outbox-order = Order
outbox-order_delivered = Order delivered
outbox-dispute_updated = Dispute updated

## Merchant console
nav-merchant = Merchant console
console-merchants-only = Only a merchant's owner can open the merchant console.
console-products = My products
console-no-products = No products yet.
console-title = Title
console-stock = Stock
console-on-sale = On sale
console-put-on-sale = Put on sale
console-take-off-sale = Take off sale
console-is-on-sale = On sale
console-is-off-sale = Off sale
console-pending = Pending (held)
console-available = Available
console-deposit = Deposit
console-debt = Owed to the shop
console-details = Storefront details
console-description = Description
console-stock-shown = How the stock shows
console-stock-exact = The number left
console-stock-coarse = Only in stock or sold out
console-save = Save
console-sales = Sales
console-answer-dispute = Answer the dispute
console-replace-keys = Replace the keys
console-refund = Refund in full
console-refund-confirm = Refund this order in full? This cannot be undone.
console-new-product = New product
console-price = Price each (¥)
console-min = Fewest per order
console-max = Most per order
console-tiers-help = One per line, quantity=price each, e.g. 10=8.50 (optional).
console-delivery = Delivered as
console-delivery-keys = Card keys (imported afterwards)
console-delivery-text = One text or link for every buyer
console-text = The text or link
console-l1 = Referral commission, level 1 (%)
console-l2 = Referral commission, level 2 (%)
console-create = Create product
console-field-title = A title is 1 to 200 characters.
console-field-quantities = Enter whole numbers, the fewest at least 1 and not above the most.
console-field-tiers = Write each tier as quantity=price, the quantity above 1.
console-field-text = Enter the text or link every buyer gets.
console-field-commissions = Enter commissions as percentages such as 3 or 2.5.
console-staff-only = Only staff can open the admin console.
admin-merchants = Merchants
admin-merchant-name = Name
admin-merchant-owner = Owner
admin-actions = Actions
admin-activate = Make active
admin-freeze = Freeze
admin-ban = Ban
admin-confirm-activate = Let this merchant sell again?
admin-confirm-freeze = Freeze this merchant? It sells nothing new until made active again.
admin-confirm-ban = Ban this merchant? It sells nothing and its deposit may be forfeited.
merchant-status-active = Active
merchant-status-frozen = Frozen
merchant-status-banned = Banned
nav-admin = Admin console
admin-withdrawals = Withdrawals to approve
admin-approvals = Approvals
admin-approve = Approve
admin-reject = Reject
admin-confirm-reject = Reject this withdrawal? The money goes back to its owner.
admin-payout-reference = The payout's bank reference
admin-record-payout = Record as paid out
custody-title = Custody and outflows
custody-currency = Currency
custody-held = Held
custody-owed = Owed to users and the reserve
custody-covered = Covered
custody-short = Short
custody-outflows = Outflows
custody-running = Outflows run: withdrawals, payouts, sweeps and refunds through channels go out.
custody-stopped = Outflows are stopped
custody-stop-coverage = coverage failed
custody-stop-manual = stopped by an admin
custody-lifts = { $count } of 2 admins asked to lift
custody-lift = Ask to lift
custody-confirm-lift = Ask to lift the stop? Two admins lift it.
custody-note = Why (shown with the stop)
custody-stop = Stop outflows
custody-confirm-stop = Stop every outflow now?
audit-title = Audit log
audit-actor = Staff member (id)
audit-search = Action contains
audit-filter = Filter
audit-empty = No entries.
import-title = Import keys
import-report = Import report
import-added = { $count } added
import-duplicates = { $count } duplicates skipped
import-invalid = { $count } unusable lines
import-line = Line { $line }
import-empty = empty
import-too_long = too long
import-control_characters = holds control characters
import-not_utf8 = not UTF-8 text
import-paste = Paste keys, one per line
import-file = Or upload a file
import-file-help = A CSV (the key in the first column) or one key per line, up to 10 MB.
import-csv = The pasted text or file is CSV
import-progress = Upload progress
import-submit = Import
import-nothing = Paste keys or choose a file first.
import-too-large = The file is larger than 10 MB. Split it and import each part.
error-too-large = The form is too large.

# Why money moved: a label per transfer code (why-<name>).
why-pay_by_balance = Paid from wallet
why-pay_by_channel = Paid by payment method
why-credit = Wallet top-up
why-owed_back = Unmatched payment, to be returned
why-settle_merchant = Sale proceeds
why-settle_fee = Platform fee
why-settle_commission = Referral commission
why-release = Released to available balance
why-refund = Refund
why-clawback = Refund after settlement
why-refund_sent = Refund sent
why-deposit = Moved to deposit
why-fund = Funds added
why-withdraw = Withdrawal
why-payout = Withdrawal paid out
why-payout_returned = Withdrawal returned
why-commission_release = Commission released
why-reserve_share = Reserve share of fee
why-reverse_fee = Platform fee refunded
why-reverse_commission = Commission refunded
why-reserve_cover = Refund covered by reserve
why-debt_opened = Debt opened
why-debt_repaid = Debt repayment
why-debt_closed = Debt cleared
why-reserve_top_up = Reserve top-up
why-loss = Loss written off
why-custody_top_up = Custody top-up
why-channel_settled = Payment channel settlement
why-channel_fee = Payment channel fee
why-sweep = Fees swept to platform
why-withdrawal_fee = Withdrawal fee
why-deposit_in = Deposit paid in
why-deposit_forfeit = Deposit forfeited
why-other = Other
