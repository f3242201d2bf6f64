/** The client's host for PSRP host calls (MS-PSRP §2.2.3.17): interface, dispatcher, scripted host. */
export type {
  PSHost, PSHostUI, PSHostRawUI, Awaitable, ConsoleColor, Size, Coordinates, KeyInfo, FieldDescription,
  ChoiceDescription, CredentialAnswer, PromptAnswers, PromptForCredentialRequest, WriteColors,
} from './interface.js';
export { answerHostCall, respondToHostCall, HOST_METHODS, type HostResponder } from './dispatch.js';
export { ScriptedHost, type HostScript, type HostCallRecord } from './scripted.js';
export { VOID_HOST_METHODS, VOID_CALL_ID, hostMethodReturns } from './methods.js';
