using Mono.Cecil;

namespace SkillVL.Architecture.Tests.Layers;

/// <summary>
/// Builds the <see cref="FolderGraph"/> of one compiled assembly from its IL: a folder is the first namespace segment
/// under <c>rootNamespace</c> (the root namespace itself is one more node). Every type reference counts — base type,
/// interfaces, generic constraints, fields, properties, events, method signatures, locals, catch types, the operands of
/// every instruction (type, method and field references with their generic arguments) and attributes (with typeof
/// arguments). Nested types, the compiler's lambdas and async state machines among them, count for their outermost
/// declaring type, so a folder's code is all of what its source files compile to.
/// </summary>
public sealed class FolderGraphReader
{
    private readonly string _root;
    private readonly FolderGraph _graph = new();

    private FolderGraphReader(string rootNamespace) => _root = rootNamespace;

    public static FolderGraph Read(string assemblyPath, string rootNamespace)
    {
        var reader = new FolderGraphReader(rootNamespace);
        using var module = ModuleDefinition.ReadModule(assemblyPath);
        foreach (var type in module.Types)
        {
            if (reader.FolderOf(type) is { } folder)
            {
                reader._graph.AddNode(folder);
                reader.ReadType(type, type, folder);
            }
        }

        return reader._graph;
    }

    /// <summary>The folder of a top-level type of this module, or null when it is outside the root namespace.</summary>
    private string? FolderOf(TypeReference topLevel)
    {
        var ns = topLevel.Namespace;
        if (ns == _root)
        {
            return _root;
        }

        if (!ns.StartsWith(_root + ".", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = ns[(_root.Length + 1)..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? rest : rest[..dot];
    }

    private void ReadType(TypeDefinition owner, TypeDefinition type, string folder)
    {
        var user = new User(owner, folder);
        Use(user, type.BaseType);
        foreach (var implementation in type.Interfaces)
        {
            Use(user, implementation.InterfaceType);
            UseAttributes(user, implementation);
        }

        UseGenericParameters(user, type);
        UseAttributes(user, type);
        foreach (var field in type.Fields)
        {
            Use(user, field.FieldType);
            UseAttributes(user, field);
        }

        foreach (var property in type.Properties)
        {
            Use(user, property.PropertyType);
            UseAttributes(user, property);
        }

        foreach (var @event in type.Events)
        {
            Use(user, @event.EventType);
            UseAttributes(user, @event);
        }

        foreach (var method in type.Methods)
        {
            ReadMethod(user, method);
        }

        foreach (var nested in type.NestedTypes)
        {
            ReadType(owner, nested, folder);
        }
    }

    private void ReadMethod(User user, MethodDefinition method)
    {
        UseSignature(user, method);
        UseGenericParameters(user, method);
        UseAttributes(user, method);
        UseAttributes(user, method.MethodReturnType);
        foreach (var parameter in method.Parameters)
        {
            UseAttributes(user, parameter);
        }

        if (!method.HasBody)
        {
            return;
        }

        foreach (var variable in method.Body.Variables)
        {
            Use(user, variable.VariableType);
        }

        foreach (var handler in method.Body.ExceptionHandlers)
        {
            Use(user, handler.CatchType);
        }

        foreach (var instruction in method.Body.Instructions)
        {
            switch (instruction.Operand)
            {
                case TypeReference type:
                    Use(user, type);
                    break;
                case MethodReference called:
                    UseMethodReference(user, called);
                    break;
                case FieldReference field:
                    Use(user, field.DeclaringType);
                    Use(user, field.FieldType);
                    break;
                case CallSite site:
                    UseSignature(user, site);
                    break;
            }
        }
    }

    private void UseMethodReference(User user, MethodReference method)
    {
        Use(user, method.DeclaringType);
        UseSignature(user, method);
        if (method is GenericInstanceMethod instance)
        {
            foreach (var argument in instance.GenericArguments)
            {
                Use(user, argument);
            }
        }
    }

    private void UseSignature(User user, IMethodSignature signature)
    {
        Use(user, signature.ReturnType);
        foreach (var parameter in signature.Parameters)
        {
            Use(user, parameter.ParameterType);
        }
    }

    private void UseGenericParameters(User user, IGenericParameterProvider provider)
    {
        foreach (var parameter in provider.GenericParameters)
        {
            foreach (var constraint in parameter.Constraints)
            {
                Use(user, constraint.ConstraintType);
            }

            UseAttributes(user, parameter);
        }
    }

    private void UseAttributes(User user, ICustomAttributeProvider provider)
    {
        foreach (var attribute in provider.CustomAttributes)
        {
            UseMethodReference(user, attribute.Constructor);
            foreach (var argument in attribute.ConstructorArguments)
            {
                UseAttributeArgument(user, argument);
            }

            foreach (var named in attribute.Fields.Concat(attribute.Properties))
            {
                UseAttributeArgument(user, named.Argument);
            }
        }
    }

    private void UseAttributeArgument(User user, CustomAttributeArgument argument)
    {
        Use(user, argument.Type);
        switch (argument.Value)
        {
            case TypeReference type: // typeof(X)
                Use(user, type);
                break;
            case CustomAttributeArgument boxed:
                UseAttributeArgument(user, boxed);
                break;
            case CustomAttributeArgument[] array:
                foreach (var element in array)
                {
                    UseAttributeArgument(user, element);
                }

                break;
        }
    }

    /// <summary>Records the edge to the folder of <paramref name="reference"/> and of every type it is made of.</summary>
    private void Use(User user, TypeReference? reference)
    {
        switch (reference)
        {
            case null or GenericParameter:
                return;
            case GenericInstanceType instance:
                Use(user, instance.ElementType);
                foreach (var argument in instance.GenericArguments)
                {
                    Use(user, argument);
                }

                return;
            case IModifierType modified:
                Use(user, modified.ModifierType);
                Use(user, modified.ElementType);
                return;
            case FunctionPointerType pointer:
                UseSignature(user, pointer);
                return;
            case TypeSpecification specification: // arrays, by-refs, pointers, pinned, sentinel
                Use(user, specification.ElementType);
                return;
        }

        var topLevel = reference;
        while (topLevel.DeclaringType is { } declaring)
        {
            topLevel = declaring;
        }

        // Only types defined in this module; another assembly's namespace that happens to share the root is not a folder here.
        if (topLevel.Scope?.MetadataScopeType != MetadataScopeType.ModuleDefinition || FolderOf(topLevel) is not { } folder
            || folder == user.Folder)
        {
            return;
        }

        _graph.AddEdge(user.Folder, folder, Describe(user.Type), Describe(topLevel));
    }

    private string Describe(TypeReference topLevel) =>
        topLevel.Namespace == _root ? topLevel.Name : $"{topLevel.Namespace[(_root.Length + 1)..]}.{topLevel.Name}";

    private readonly record struct User(TypeDefinition Type, string Folder);
}
