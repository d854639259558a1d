// The default tally contract shipped with the app. A tally references its contract by hash
// (TallyDoc.contract = hashOf(contract document)), so both parties sign exactly this text; changing one
// character gives another hash, and a partner who does not know a hash is shown that it is unknown.
import { hashOf } from '../../../core/codec/hash'

export interface ContractDocument {
  v: 1
  /** Short stable name, e.g. 'mychips-tally/1'. */
  name: string
  title: string
  /** BCP 47 language tag. */
  language: string
  /** Paragraphs of plain text. */
  sections: Array<{ heading: string, text: string }>
}

export const DEFAULT_CONTRACT: ContractDocument = {
  v: 1,
  name: 'mychips-tally/1',
  title: 'MyCHIPs Tally Agreement',
  language: 'en',
  sections: [
    {
      heading: 'Parties and purpose',
      text: 'This agreement is between the holder of the stock (the Vendor, who is normally owed) and the holder of the foil (the Client, who normally owes), each identified in the tally by the public key that signs it. It records credit the parties extend to each other, measured in CHIPs.'
    },
    {
      heading: 'The unit',
      text: 'One CHIP is the value of one hour of unskilled human labour, as defined by the MyCHIPs project. Amounts are recorded in thousandths of a CHIP.'
    },
    {
      heading: 'Credit terms',
      text: 'Each party grants the other the credit limit written in its half of the tally: the most the other may owe it. A party who calls its credit gives the other the number of days of notice written in its terms to bring the balance back within the new limit.'
    },
    {
      heading: 'Chits',
      text: 'A chit signed with a party\'s key and certified in the tally\'s diary is that party\'s binding promise: a payment moves value to the other party, an accepted invoice is a payment. A party may decline an invoice. Neither party may deny a chit its key signed.'
    },
    {
      heading: 'Lifts',
      text: 'Each party may allow its balance to be moved by credit lifts, within the trading variables it signs (target, bound, reward and clutch). A lift never moves a balance past a credit limit, and never charges a fee for bringing one\'s own debt back toward zero or target.'
    },
    {
      heading: 'Settlement and closing',
      text: 'Debts recorded on this tally are to be settled in goods, services, or by lifts, at the parties\' agreement. Either party may ask to close the tally; it then accepts only chits that bring the balance toward zero and closes when the balance is zero.'
    },
    {
      heading: 'Good faith',
      text: 'The parties deal honestly and settle disputes first between themselves, then by a mediator both accept. The signed tally and its certified diary are the record of what was agreed.'
    }
  ]
}

/** hashOf(DEFAULT_CONTRACT): what the default tally carries in `contract`. */
export const DEFAULT_CONTRACT_HASH = hashOf(DEFAULT_CONTRACT)

/** The contracts this app knows, by hash (the UI shows the text for a known hash, "unknown contract" otherwise). */
export function knownContract (hash: string): ContractDocument | undefined {
  return hash === DEFAULT_CONTRACT_HASH ? DEFAULT_CONTRACT : undefined
}
