# trigate 页面的中文文案。这里的每条消息在 en.ftl 中也必须有，否则测试失败。

shop-name = trigate 发卡商城
footer-text = 数字商品即时发货。确认收货前，您的货款由平台托管。

## 导航
nav-skip = 跳到正文
nav-label = 主导航
nav-language = 语言
nav-store = 商城
nav-lookup = 查询订单
nav-sign-in = 登录
nav-sign-up = 注册
nav-sign-out = 退出登录
nav-signed-in-as = 已登录：{ $login }

## 商城
home-title = 全部商品
home-empty = 暂无在售商品。
stock-in = 有货
stock-left = 库存 { $count } 件
stock-out = 已售罄
product-per-unit = 每件
product-tiers = 批发价
product-tier-from = 起购数量
product-tier-price = 单价

## 下单
checkout-quantity = 购买数量
checkout-coupon = 优惠码（选填）
checkout-lookup-secret = 查询密码
checkout-lookup-secret-help = 6 到 128 个字符。凭订单号和查询密码可再次找到订单，请牢记。
checkout-method = 支付方式
checkout-no-method = 目前没有可用于该币种的支付方式。
checkout-buy = 立即购买
method-balance = 余额支付
method-alipay = 支付宝
method-wxpay = 微信支付
method-card = 银行卡
method-qqpay = QQ 钱包

## 支付
pay-title = 支付订单
pay-order = 订单 { $order }
pay-continue = 前往支付
pay-redirect-help = 即将跳转到支付页面，支付完成后会回到这里。
pay-qr-label = 请用支付应用扫描此二维码
pay-open-app = 在支付应用中打开
pay-see-order = 查看订单

## 订单
order-title = 订单 { $order }
order-status = 状态
order-amount = 金额
order-refunded = 已退款
order-waiting = 正在等待支付结果……
order-keys = 您的卡密
order-content = 您的内容
order-copy = 复制
order-copy-key = 复制卡密
order-copied = 已复制。
order-status-created = 待支付
order-status-paid = 已支付
order-status-delivered = 已发货
order-status-disputed = 售后处理中
order-status-settled = 已完成
order-status-expired = 已过期
order-status-cancelled = 已取消
order-status-refunded = 已退款

## 订单查询
lookup-title = 查询订单
lookup-help = 请输入订单号和下单时设置的查询密码。
lookup-order = 订单号
lookup-secret = 查询密码
lookup-submit = 查询

## 登录
signin-title = 登录
signup-title = 注册账号
signin-login = 用户名
signin-password = 密码
signin-totp = 身份验证器中的动态码
signin-submit = 登录
signup-submit = 注册
signup-referral = 邀请码（选填）
signin-no-account = 还没有账号？立即注册
signup-have-account = 已有账号？去登录

## 表单错误
field-quantity-range = 请输入 { $min } 到 { $max } 之间的整数。
field-lookup-secret = 查询密码为 6 到 128 个字符。
field-method = 请选择支付方式。
field-order-number = 请输入订单号（仅数字）。
field-login = 用户名为 1 到 64 个字符。
field-password = 密码为 8 到 256 个字符。

## 错误页面
error-page-title = 出错了
error-page-not-found = 页面不存在
error-page-not-found-text = 这个地址没有内容。
error-page-forbidden = 无权访问
error-page-slow-down = 请求过于频繁
error-back-home = 返回商城
error-form = 无法读取此表单，请刷新页面后重试。
error-csrf = 表单已过期或并非来自本站，请刷新页面后重试。

# Error messages, one per stable error code (error-<code>).
error-unauthenticated = 请先登录。
error-bad_credentials = 账号或密码错误。
error-second_factor_required = 请输入身份验证器中的动态验证码以继续。
error-bad_second_factor = 验证码错误或已被使用，请输入新的验证码。
error-second_factor_locked = 验证码错误次数过多，请 15 分钟后再试。
error-bad_signature = 签名校验失败。
error-stale_timestamp = 请求时间偏差过大，请校准时间后重试。
error-replayed_nonce = 该请求已被处理过，请使用新的 nonce 重新发送。
error-forbidden = 您没有权限执行此操作。
error-not_found = 未找到您要访问的内容。
error-bad_request = 请求格式有误，请检查后重试。
error-invalid = 填写的信息有误，请检查后重试。
error-payload_too_large = 提交的内容过大。
error-method_not_allowed = 此处不支持该操作。
error-unsupported_media_type = 请以 JSON 格式提交请求。
error-timeout = 请求超时，请重试。
error-idempotency_key_required = 此操作需要携带 Idempotency-Key 请求头。
error-rate_limited = 操作过于频繁，请稍后再试。
error-unavailable = 商城暂停处理操作，请稍后再试。
error-no_channel = 当前暂无可用的支付方式。
error-channels_unavailable = 支付通道暂时不可用，请稍后再试。
error-channel_unreachable = 无法连接支付平台，请稍后再试。
error-channel_says_unpaid = 支付平台尚未收到该笔付款。
error-unknown_channel = 该支付方式不可用。
error-internal = 系统出错了，未产生任何扣款，请重试。
error-user_not_found = 用户不存在。
error-login_taken = 该用户名已被占用。
error-referrer_not_found = 邀请码不存在，请检查后重试。
error-merchant_not_found = 商户不存在。
error-merchant_not_active = 该商户暂未营业。
error-product_not_found = 商品不存在。
error-product_off_sale = 该商品已下架或暂未上架。
error-commission_on_membership = 会员及入门套餐不能设置推广佣金。
error-shares_over_whole = 手续费与佣金合计不能超过 100%。
error-quantity_out_of_range = 购买数量超出该商品的单笔限购范围。
error-out_of_stock = 库存不足，无法购买该数量。
error-amount_overflow = 金额超出允许范围。
error-order_not_found = 订单不存在。
error-order_state = 当前订单状态不支持此操作。
error-reservation_expired = 订单已超时失效，请重新下单。
error-insufficient_balance = 余额不足。
error-refund_beyond_paid = 退款金额超过剩余可退金额。
error-dispute_window_closed = 该订单已超过申诉期限。
error-attempt_not_found = 未找到该支付记录。
error-amount_mismatch = 支付金额与应付金额不符。
error-coupon_not_applicable = 该优惠券不适用于此订单。
error-idempotency_conflict = 本次提交与之前的提交冲突，请刷新页面后重试。
error-key_not_found = 卡密不存在。
error-withdrawal_not_found = 提现记录不存在。
error-withdrawal_state = 当前提现状态不支持此操作。
error-lookup_refused = 订单号或查询密码错误。
error-ledger_refused = 系统出错了，操作未生效，请重试。
error-debt_open = 您有未结清的平台欠款，将从后续收入中优先扣还，结清前无法提现。
error-send_unresolved = 此前原路退回的款项结果未明，需财务核实后才能继续。
error-approval_required = 此操作需要另一名工作人员审批。
error-outflows_stopped = 提现、打款和退款已暂停，需两名管理员解除后方可继续。
error-above_surplus = 划转金额超过可用盈余。
error-fees_not_matured = 仅已过退款期的手续费可以划转，该金额超出可划转额度。
error-past_refund_horizon = 该订单已超过退款期限，无法退款。
error-settlement_duplicate = 该结算单已入账或正在处理中。
error-withdrawal_limit = 本次提现超出提现限额。
error-destination_cooling = 该收款账户为新添加，需等待冷静期结束后才能使用。
error-deposit_required = 保证金低于最低要求，补足后才能开始销售。
error-deposit_held = 保证金已被冻结。
error-malformed = 支付平台回传的数据格式有误。
error-missing_parameter = 缺少必要的参数。
error-empty_key = 该支付方式尚未配置完成。
error-wrong_merchant = 支付通知中的商户号不符。
error-not_paid = 支付平台显示该笔订单未支付。
error-bad_amount = 无法识别支付金额。
error-order_mismatch = 支付通知中的订单号不符。

## 导航（已登录）
nav-orders = 我的订单
nav-wallet = 钱包
nav-withdrawals = 提现
pay-recharge = 钱包充值
pay-see-wallet = 返回钱包

## 钱包
wallet-title = 我的钱包
wallet-recharge = 充值余额
wallet-reward = 佣金（可提现）
wallet-held = 冻结中的佣金
wallet-debt = 欠平台款项
wallet-buckets-help = 充值余额可用于购买；佣金冻结期结束后可消费或提现。
wallet-recharge-title = 充值
wallet-amount = 金额（元）
wallet-recharge-submit = 充值
wallet-referral-title = 邀请好友
wallet-referral-help = 好友通过您的链接注册后购买商品，您可获得佣金。
wallet-history = 资金明细
wallet-history-empty = 暂无资金变动。
wallet-when = 时间
wallet-what = 类型

## 二次验证
security-title = 身份验证器
security-help = 提现需要身份验证器中的动态码。请输入密码进行绑定。
security-current-code = 当前动态码（仅更换时填写）
security-current-code-help = 尚未绑定身份验证器时请留空。
security-submit = 绑定身份验证器
security-enrolled = 身份验证器已绑定。请立即扫码：二维码只显示这一次。
security-scan = 请用身份验证器应用扫描
security-secret = 或手动输入此密钥：
security-shown-once = 请妥善保管此密钥，它不会再次显示。

## 提现
withdrawals-title = 提现
withdrawals-reward = 可提现佣金：{ $amount }
withdrawals-ask = 申请提现
withdrawals-need-destination = 请先在下方添加收款账户。
withdrawals-destination = 收款账户
withdrawals-submit = 提现
withdrawals-list = 我的提现
withdrawals-none = 暂无提现记录。
withdrawal-status-requested = 等待审核
withdrawal-status-approved = 已批准，打款中
withdrawal-status-paid_out = 已打款
withdrawal-status-rejected = 已驳回
withdrawal-status-failed = 打款失败，已退回
destinations-title = 收款账户
destinations-label = 名称（如：工资卡）
destinations-account = 账号或地址
destinations-add = 添加收款账户
destinations-remove = 删除
destinations-usable-from = { $time } 起可用

## 我的订单
my-orders-title = 我的订单
my-orders-none = 您还没有订单。
order-received-title = 已收到商品？
order-confirm-help = 确认收货后，货款将结算给卖家。
order-confirm = 确认收货
order-dispute-title = 商品有问题？
order-dispute-reason = 问题描述
order-dispute-open = 发起售后
order-dispute-waiting = 售后处理中：卖家答复前，货款继续由平台托管。

## 更多表单错误
field-amount = 请输入金额，如 12.50。
field-destination = 请选择收款账户。
field-totp = 请输入身份验证器中的动态码。
field-destination-label = 名称为 1 到 40 个字符。
field-destination-account = 账号为 1 到 200 个字符。
field-reason = 请描述问题（最多 2000 个字符）。

## 商品详情、账户、售后、发件箱
nav-account = 账户
home-categories = 分类
home-all = 全部
product-category = 分类
checkout-email = 邮箱（选填）
checkout-email-help = 用于接收此订单的通知。目前不会发送任何邮件。
field-email = 请输入邮箱地址（如 name@example.com），或留空。
field-message = 请输入 1 到 2000 个字符。
dispute-title = 售后记录
dispute-by-shop = 平台
dispute-by-you = 您
dispute-by-other = 对方
dispute-opened = 发起了售后
dispute-message = 留言
dispute-keys-replaced = 更换了卡密
dispute-refunded = 已退款
dispute-escalated = 申请平台介入
dispute-released = 结束售后，货款已结算
dispute-write = 留言
dispute-send = 发送
account-title = 我的账户
account-email-title = 邮箱
account-email-help = 用于接收订单通知。留空即删除。
account-email-save = 保存邮箱
account-email-saved = 已保存。
outbox-title = 发件箱
outbox-help = 平台本应发送的邮件。邮件服务尚未配置，因此没有发送任何邮件。
outbox-empty = 暂无消息。
outbox-to = 收件人
outbox-order = 订单
outbox-order_delivered = 订单已发货
outbox-dispute_updated = 售后有新进展

## 商户后台
nav-merchant = 商户后台
console-merchants-only = 只有商户的所有者可以进入商户后台。
console-products = 我的商品
console-no-products = 还没有商品。
console-title = 名称
console-stock = 库存
console-on-sale = 上架
console-put-on-sale = 上架
console-take-off-sale = 下架
console-is-on-sale = 已上架
console-is-off-sale = 已下架
console-pending = 待结算（冻结中）
console-available = 可用余额
console-deposit = 保证金
console-debt = 欠平台款项
console-details = 商品展示信息
console-description = 商品描述
console-stock-shown = 库存显示方式
console-stock-exact = 显示剩余数量
console-stock-coarse = 只显示有货或售罄
console-save = 保存
console-sales = 销售订单
console-answer-dispute = 处理售后
console-replace-keys = 更换卡密
console-refund = 全额退款
console-refund-confirm = 确定全额退款此订单吗？此操作无法撤销。
console-new-product = 新建商品
console-price = 单价（元）
console-min = 每单最少数量
console-max = 每单最多数量
console-tiers-help = 每行一个，数量=单价，如 10=8.50（选填）。
console-delivery = 发货方式
console-delivery-keys = 卡密（创建后导入）
console-delivery-text = 所有买家相同的文本或链接
console-text = 文本或链接
console-l1 = 一级推广佣金（%）
console-l2 = 二级推广佣金（%）
console-create = 创建商品
console-field-title = 名称为 1 到 200 个字符。
console-field-quantities = 请输入整数，最少数量至少为 1 且不超过最多数量。
console-field-tiers = 每个批发价写作 数量=单价，数量须大于 1。
console-field-text = 请输入每位买家获得的文本或链接。
console-field-commissions = 佣金请填写百分比，如 3 或 2.5。
console-staff-only = 只有平台工作人员可以进入管理后台。
admin-merchants = 商户管理
admin-merchant-name = 名称
admin-merchant-owner = 所有者
admin-actions = 操作
admin-activate = 恢复营业
admin-freeze = 冻结
admin-ban = 封禁
admin-confirm-activate = 允许该商户恢复销售吗？
admin-confirm-freeze = 冻结该商户吗？恢复前将无法出售新订单。
admin-confirm-ban = 封禁该商户吗？其将无法销售，保证金可能被没收。
merchant-status-active = 正常
merchant-status-frozen = 已冻结
merchant-status-banned = 已封禁
nav-admin = 管理后台
admin-withdrawals = 提现审批
admin-approvals = 审批
admin-approve = 批准
admin-reject = 驳回
admin-confirm-reject = 驳回此提现吗？资金将退回给申请人。
admin-payout-reference = 打款银行流水号
admin-record-payout = 记录为已打款
import-title = 导入卡密
import-report = 导入结果
import-added = 新增 { $count } 个
import-duplicates = 跳过重复 { $count } 个
import-invalid = 无效行 { $count } 行
import-line = 第 { $line } 行
import-empty = 空行
import-too_long = 过长
import-control_characters = 含有控制字符
import-not_utf8 = 不是 UTF-8 文本
import-paste = 粘贴卡密，每行一个
import-file = 或上传文件
import-file-help = CSV（卡密在第一列）或每行一个卡密，最大 10 MB。
import-csv = 粘贴内容或文件为 CSV 格式
import-progress = 上传进度
import-submit = 导入
import-nothing = 请先粘贴卡密或选择文件。
import-too-large = 文件超过 10 MB，请拆分后分别导入。
error-too-large = 表单过大。

# Why money moved: a label per transfer code (why-<name>).
why-pay_by_balance = 余额支付
why-pay_by_channel = 在线支付
why-credit = 余额充值
why-owed_back = 无匹配订单，待原路退回
why-settle_merchant = 订单结算收入
why-settle_fee = 平台手续费
why-settle_commission = 推广佣金
why-release = 结算解冻
why-refund = 订单退款
why-clawback = 结算后退款
why-refund_sent = 退款已原路退回
why-deposit = 转入保证金
why-fund = 资金注入
why-withdraw = 提现申请
why-payout = 提现到账
why-payout_returned = 提现失败退回
why-commission_release = 佣金解冻
why-reserve_share = 手续费计提风险准备金
why-reverse_fee = 退还手续费
why-reverse_commission = 退还佣金
why-reserve_cover = 风险准备金垫付退款
why-debt_opened = 产生欠款
why-debt_repaid = 欠款扣还
why-debt_closed = 欠款结清
why-reserve_top_up = 风险准备金补充
why-loss = 平台损失核销
why-custody_top_up = 托管资金补充
why-channel_settled = 支付通道结算
why-channel_fee = 支付通道手续费
why-sweep = 手续费划转
why-withdrawal_fee = 提现手续费
why-deposit_in = 缴纳保证金
why-deposit_forfeit = 保证金罚没
why-other = 其他
