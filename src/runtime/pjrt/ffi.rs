//! The slice of the PJRT C API (pjrt_c_api.h, API major 0) that we call,
//! declared by hand from the header shipped in the plugin wheel. Every
//! entry point takes one argument struct that begins with `struct_size`.

#![allow(non_camel_case_types, dead_code)]

use std::os::raw::{c_char, c_int, c_void};

pub type Opaque = c_void;

#[repr(C)]
pub struct ApiVersion {
    pub struct_size: usize,
    pub extension_start: *mut Opaque,
    pub major: c_int,
    pub minor: c_int,
}

/// Declares the PJRT_Api function table in header order, up to the last
/// entry we use; `FN_COUNT` is how many entries that is.
macro_rules! api_table {
    ($($name:ident),* $(,)?) => {
        #[repr(C)]
        pub struct Api {
            pub struct_size: usize,
            pub extension_start: *mut Opaque,
            pub version: ApiVersion,
            $(pub $name: *const c_void,)*
        }
        pub const FN_NAMES: &[&str] = &[$(stringify!($name)),*];
    };
}

api_table!(
    error_destroy, error_message, error_get_code, plugin_initialize, plugin_attributes,
    event_destroy, event_is_ready, event_error, event_await, event_on_ready,
    client_create, client_destroy, client_platform_name, client_process_index, client_platform_version,
    client_devices, client_addressable_devices, client_lookup_device, client_lookup_addressable_device,
    client_addressable_memories, client_compile, client_default_device_assignment, client_buffer_from_host_buffer,
    device_description_id, device_description_process_index, device_description_attributes, device_description_kind,
    device_description_debug_string, device_description_to_string,
    device_get_description, device_is_addressable, device_local_hardware_id, device_addressable_memories,
    device_default_memory, device_memory_stats,
    memory_id, memory_kind, memory_debug_string, memory_to_string, memory_addressable_by_devices,
    executable_destroy, executable_name, executable_num_replicas, executable_num_partitions, executable_num_outputs,
    executable_size_of_generated_code_in_bytes, executable_get_cost_analysis, executable_output_memory_kinds,
    executable_optimized_program, executable_serialize,
    loaded_executable_destroy, loaded_executable_get_executable, loaded_executable_addressable_devices,
    loaded_executable_delete, loaded_executable_is_deleted, loaded_executable_execute, executable_deserialize_and_load,
    loaded_executable_fingerprint,
    buffer_destroy, buffer_element_type, buffer_dimensions, buffer_unpadded_dimensions, buffer_dynamic_dimension_indices,
    buffer_get_memory_layout, buffer_on_device_size_in_bytes, buffer_device, buffer_memory, buffer_delete,
    buffer_is_deleted, buffer_copy_to_device, buffer_to_host_buffer, buffer_is_on_cpu, buffer_ready_event,
    buffer_unsafe_pointer, buffer_increase_external_reference_count, buffer_decrease_external_reference_count,
    buffer_opaque_device_memory_data_pointer,
);

macro_rules! args {
    ($name:ident { $($f:ident : $t:ty),* $(,)? }) => {
        #[repr(C)]
        pub struct $name {
            pub struct_size: usize,
            pub extension_start: *mut Opaque,
            $(pub $f: $t,)*
        }
        impl $name {
            /// All fields zero/null, `struct_size` set.
            pub fn new() -> Self {
                // SAFETY: every field is an integer, a raw pointer or an
                // Option of a fn pointer, for which all-zero bytes are valid.
                let mut a: Self = unsafe { std::mem::zeroed() };
                a.struct_size = std::mem::size_of::<Self>();
                a
            }
        }
    };
}

args!(ErrorDestroyArgs { error: *mut Opaque });
args!(ErrorMessageArgs { error: *const Opaque, message: *const c_char, message_size: usize });
args!(ErrorGetCodeArgs { error: *const Opaque, code: c_int });
args!(PluginInitializeArgs {});
args!(EventDestroyArgs { event: *mut Opaque });
args!(EventAwaitArgs { event: *mut Opaque });

pub(crate) const NAMED_VALUE_STRING: c_int = 0;
pub(crate) const NAMED_VALUE_INT64: c_int = 1;
pub(crate) const NAMED_VALUE_BOOL: c_int = 4;

#[repr(C)]
pub struct NamedValue {
    pub struct_size: usize,
    pub extension_start: *mut Opaque,
    pub name: *const c_char,
    pub name_size: usize,
    pub kind: c_int,
    /// The union of string pointer / int64 / float / bool, as 8 bytes.
    pub value: i64,
    pub value_size: usize,
}

args!(ClientCreateArgs {
    create_options: *const NamedValue,
    num_options: usize,
    kv_get_callback: *const c_void,
    kv_get_user_arg: *mut c_void,
    kv_put_callback: *const c_void,
    kv_put_user_arg: *mut c_void,
    client: *mut Opaque,
    kv_try_get_callback: *const c_void,
    kv_try_get_user_arg: *mut c_void,
});
args!(ClientDestroyArgs { client: *mut Opaque });
args!(ClientPlatformNameArgs { client: *mut Opaque, platform_name: *const c_char, platform_name_size: usize });
args!(ClientPlatformVersionArgs { client: *mut Opaque, platform_version: *const c_char, platform_version_size: usize });
args!(ClientAddressableDevicesArgs { client: *mut Opaque, devices: *const *mut Opaque, num_devices: usize });
args!(Program { code: *mut c_char, code_size: usize, format: *const c_char, format_size: usize });
args!(ClientCompileArgs {
    client: *mut Opaque,
    program: *const Program,
    compile_options: *const c_char,
    compile_options_size: usize,
    executable: *mut Opaque,
});
args!(ClientBufferFromHostBufferArgs {
    client: *mut Opaque,
    data: *const c_void,
    buffer_type: c_int,
    dims: *const i64,
    num_dims: usize,
    byte_strides: *const i64,
    num_byte_strides: usize,
    host_buffer_semantics: c_int,
    device: *mut Opaque,
    memory: *mut Opaque,
    device_layout: *mut Opaque,
    done_with_host_buffer: *mut Opaque,
    buffer: *mut Opaque,
});
args!(DeviceGetDescriptionArgs { device: *mut Opaque, description: *mut Opaque });
args!(DeviceDescriptionIdArgs { description: *mut Opaque, id: c_int });
args!(DeviceDescriptionKindArgs { description: *mut Opaque, kind: *const c_char, kind_size: usize });
args!(BufferDestroyArgs { buffer: *mut Opaque });
args!(BufferToHostBufferArgs { src: *mut Opaque, host_layout: *mut Opaque, dst: *mut c_void, dst_size: usize, event: *mut Opaque });
args!(BufferReadyEventArgs { buffer: *mut Opaque, event: *mut Opaque });
args!(BufferOnDeviceSizeArgs { buffer: *mut Opaque, on_device_size_in_bytes: usize });
args!(BufferExternalReferenceArgs { buffer: *mut Opaque });
args!(BufferDeviceMemoryPointerArgs { buffer: *mut Opaque, device_memory_ptr: *mut c_void });
args!(ExecuteOptions {
    send_callbacks: *mut c_void,
    recv_callbacks: *mut c_void,
    num_send_ops: usize,
    num_recv_ops: usize,
    launch_id: c_int,
    non_donatable_input_indices: *const i64,
    num_non_donatable_input_indices: usize,
    context: *mut Opaque,
    call_location: *const c_char,
    num_tasks: usize,
    task_ids: *mut c_int,
    incarnation_ids: *mut i64,
});
args!(LoadedExecutableExecuteArgs {
    executable: *mut Opaque,
    options: *mut ExecuteOptions,
    argument_lists: *const *const *mut Opaque,
    num_devices: usize,
    num_args: usize,
    output_lists: *const *mut *mut Opaque,
    device_complete_events: *mut *mut Opaque,
    execute_device: *mut Opaque,
});
args!(LoadedExecutableDestroyArgs { executable: *mut Opaque });
args!(LoadedExecutableAddressableDevicesArgs { executable: *mut Opaque, addressable_devices: *const *mut Opaque, num_addressable_devices: usize });
args!(LoadedExecutableGetExecutableArgs { loaded_executable: *mut Opaque, executable: *mut Opaque });
args!(ExecutableDestroyArgs { executable: *mut Opaque });
args!(ExecutableNumOutputsArgs { executable: *mut Opaque, num_outputs: usize });
args!(ExecutableSerializeArgs {
    executable: *const Opaque,
    serialized_bytes: *const c_char,
    serialized_bytes_size: usize,
    serialized_executable: *mut Opaque,
    serialized_executable_deleter: Option<unsafe extern "C" fn(*mut Opaque)>,
});
args!(ExecutableDeserializeAndLoadArgs {
    client: *mut Opaque,
    serialized_executable: *const c_char,
    serialized_executable_size: usize,
    loaded_executable: *mut Opaque,
    overridden_serialized_compile_options: *const c_char,
    overridden_serialized_compile_options_size: usize,
});

/// PJRT_Buffer_Type of our dtypes.
pub fn buffer_type(d: crate::dtype::DType) -> c_int {
    use crate::dtype::DType::*;
    match d {
        Bool => 1,
        I8 => 2,
        I16 => 3,
        I32 => 4,
        I64 => 5,
        U8 => 6,
        U16 => 7,
        U32 => 8,
        U64 => 9,
        F16 => 10,
        F32 => 11,
        F64 => 12,
        BF16 => 13,
        C64 => 14,
        C128 => 15,
    }
}

/// PJRT_HostBufferSemantics_kImmutableOnlyDuringCall: the plugin copies now.
pub(crate) const HOST_SEMANTICS_COPY_DURING_CALL: c_int = 0;
