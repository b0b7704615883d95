/** The vLLM release the simulator reports (`/version`, gRPC GetServerInfo, metrics): its wire format is followed. */
export const SIMULATED_VLLM_VERSION = '0.11.0';
