import { describe, expect, it } from 'vitest'
import { classifyLink, decodeProtocolFragment, linkFromLocation } from '../../../../src/ui/lib/links'

describe('classifyLink', () => {
  it('tells invitations from contact links', () => {
    expect(classifyLink(' https://app.example/#invite=abc ')).toEqual({ kind: 'invite', link: 'https://app.example/#invite=abc' })
    expect(classifyLink('https://app.example/#contact=xyz')).toEqual({ kind: 'contact', link: 'https://app.example/#contact=xyz' })
    expect(classifyLink('web+mychips:invite=abc')).toEqual({ kind: 'invite', link: 'web+mychips:invite=abc' })
    expect(classifyLink('WEB+MYCHIPS:invite=abc').kind).toBe('invite')
    expect(classifyLink('{"v":1}').kind).toBe('contact')
  })
  it('reads a protocol-handler URL (the whole web+mychips URL percent-encoded in the fragment)', () => {
    const opened = `https://app.example/#${encodeURIComponent('web+mychips:invite=abc')}`
    expect(classifyLink(opened)).toEqual({ kind: 'invite', link: 'web+mychips:invite=abc' })
    expect(classifyLink('https://app.example/#web+mychips:invite=abc')).toEqual({ kind: 'invite', link: 'web+mychips:invite=abc' })
  })
  it('explains what is wrong with anything else', () => {
    expect(classifyLink('')).toMatchObject({ kind: 'unknown', error: expect.stringMatching(/Paste a link/) })
    expect(classifyLink('hello there')).toMatchObject({ kind: 'unknown', error: expect.stringMatching(/not a MyCHIPs link/) })
    expect(classifyLink('https://app.example/')).toMatchObject({ kind: 'unknown', error: expect.stringMatching(/neither/) })
    expect(classifyLink('https://app.example/#settings')).toMatchObject({ kind: 'unknown' })
    expect(classifyLink('web+mychips:nothing')).toMatchObject({ kind: 'unknown' })
  })
})

describe('decodeProtocolFragment / linkFromLocation', () => {
  it('decodes only web+mychips fragments', () => {
    expect(decodeProtocolFragment('web%2Bmychips%3Ainvite%3Dabc')).toBe('web+mychips:invite=abc')
    expect(decodeProtocolFragment('web%2Bmychips%ZZ')).toBeUndefined()
    expect(decodeProtocolFragment('invite=abc')).toBeUndefined()
  })
  it('finds the link a page was opened with', () => {
    expect(linkFromLocation('https://a/#invite=x', '#invite=x')).toEqual({ kind: 'invite', link: 'https://a/#invite=x' })
    expect(linkFromLocation('https://a/#contact=x', '#contact=x')).toEqual({ kind: 'contact', link: 'https://a/#contact=x' })
    expect(linkFromLocation('https://a/', '')).toBeUndefined()
    expect(linkFromLocation('https://a/#other', '#other')).toBeUndefined()
  })
})
