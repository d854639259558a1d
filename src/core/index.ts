// The curated public API of the protocol core. Import from here outside src/core.
export { ChipsError, MalformedError, InvalidSignatureError, TooLargeError, isChipsError } from './errors'

export { canonicalJson, canonicalBytes, assertIntegral } from './codec/canonical'
export { toBase64url, fromBase64url, fromBase64urlOfLength } from './codec/base64url'
export { sha256, hashOf } from './codec/hash'
export {
  type Signed, type VerifyOptions as EnvelopeVerifyOptions, ENVELOPE_VERSION, MAX_ENVELOPE_BYTES,
  signEnvelope, verifyEnvelope, verifyDetached, signingBytes, WrongTypeError, WrongSignerError
} from './codec/envelope'

export type { SignatureProvider } from './crypto/provider'
export { nobleProvider } from './crypto/noble'
export { webCryptoProvider } from './crypto/webcrypto'
export { chooseProvider } from './crypto/select'
export { verifyOnceCache, type CachedProvider, type VerifyCacheStats } from './crypto/cache'

export { generatePhrase, normalizePhrase, phraseToSeed, InvalidPhraseError } from './keys/recovery'
export { deriveUserSecret, userIdFromPublicKey, publicKeyFromUserId, isUserId, UserIdSchema } from './keys/user'
export {
  type DeviceCertBody, type DeviceCertificate, DEVICE_CERT_TYPE, DeviceCertBodySchema,
  certifyDevice, verifyDeviceCertificate
} from './keys/device'

export {
  type Sealed, SealedSchema, DecryptError, NONCE_BYTES, sealPublicKey, tallySharedKey, sealJson, openJson
} from './crypto/seal'
export {
  type ChainPosition, deriveChainSecret, chainPublicKey, deriveSealSecret, sealPublicKeyOf, checkChainStep,
  KeyUsedError, UnknownKeyError
} from './keys/chain'

// Tally: document, negotiation, invitations, replicated state and machine
export {
  type Side, type Terms, type TradingVars, type PartyCert, type PartyInfo, type TallySide, type TallyDoc, type TallySigs,
  type SignedTally, DEFAULT_VARS, otherSide
} from './tally/types'
export {
  ForbiddenTransitionError, InvalidTermsError, InvalidTradingVariablesError, InvitationExpiredError, InvitationUsedError,
  UnknownInvitationError, PartyChangedError, StaleRevisionError, MembershipNotSignedByBothError, InvalidMembersError
} from './tally/errors'
export { MAX_UNITS, PPM, TallyDocSchema, SignedTallySchema, PartyInfoSchema, MemberSetSchema } from './tally/schema'
export { checkTerms, checkTradingVars, checkMembers, parseTallyDoc } from './tally/rules'
export { TALLY_TYPE, signTallyDoc, verifyTallySig } from './tally/document'
export { type InvitationRecord, DEFAULT_INVITATION_LIFETIME_MS, createInvitation, redeemInvitation } from './tally/invitation'
export {
  type Negotiation, type NegotiationStatus, type Expectation, type TicketBody, type NoticeBody, type DocEdits, type SideEdit,
  TICKET_TYPE, REFUSE_TYPE, REVISE_TYPE, phaseOf, cloneTallyId, draftTally, editDraft, makeTicket, verifyTicket, acceptTicket, signOffer,
  receiveOffer, counterOffer, acceptOffer, receiveOpen, refuseOffer, receiveRefusal, reviseOffer, receiveRevise
} from './tally/negotiation'
export {
  type TallyState, type TallyStatus, type PartyState, type PendingChit, type PendingInvoice, type PendingLift,
  openTally, tallyGenesis, memberSet, balanceOf, availableCredit, worstDebt, pendingGiven, liftRoom
} from './tally/state'
export { type ChitRecord, type ChitKind, type ChitStatus, type ChitIndex, getChit, allChits } from './tally/chit-index'
export { type TallyMachine, tallyMachine, replay, preverifyAction } from './tally/machine'

// Chits: tally actions and their errors
export {
  type Op, type PayOp, type InvoiceOp, type DeclineOp, type SetOp, type LiftOp, type MembersOp, type ReseatOp,
  type PartyActionBody, type PartyAction, type TallyAction, type LiftDecisionBody, type LiftActionBody, type LiftAction,
  ACTION_TYPE, LIFT_ACTION_TYPE, LIFT_DECISION_TYPE, MAX_REFEREES, OpSchema, LiftOpSchema, PartyActionBodySchema,
  LiftActionBodySchema, LiftDecisionBodySchema
} from './chit/types'
export {
  OverLimitError, OverBoundError, DuplicateChitError, UnknownInvoiceError, InvoiceMismatchError, ClosingError,
  LiftNotPendingError, NoRefereeMajorityError, ConflictingDecisionError
} from './chit/errors'
export { signPartyAction, partyAction, signLiftDecision, signLiftAction } from './chit/sign'

// The certified diary (owned by the diary engineer; re-exported whole)
export * from './diary/index'

// Lifts: records, promises, referee rules, decisions, route plans (re-exported whole)
export * from './lift/index'
